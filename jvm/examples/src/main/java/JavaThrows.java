import haze.api.HazeFunction;

/** Haze's API in Java: fails with an exception of its own, with a cause. */
public class JavaThrows implements HazeFunction {
    public int run(String reason) {
        try {
            return Integer.parseInt(reason);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a count: " + reason, e);
        }
    }
}
