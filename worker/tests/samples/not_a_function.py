"""Names that exist but are not functions, for the loader's error messages."""

value = 42


class Greeter:
    def greet(self) -> str:
        return "hello"
