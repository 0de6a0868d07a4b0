/** A class that is not a function: deploying it is refused. */
public class NotAFunction {
    public int answer() { return 42; }
}
