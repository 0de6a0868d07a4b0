import haze.api.Default;
import haze.api.HazeFunction;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Haze's API in Java: lists, maps, optional values, a long and a default; a record as the result. */
public class JavaKinds implements HazeFunction {
    public record Summary(int count, long sum, Map<String, Double> weights, String label, boolean flag) {}

    public Summary run(List<Long> numbers, Map<String, Double> weights, Optional<String> label, @Default("true") boolean flag) {
        long sum = 0;
        for (long n : numbers) sum += n;
        return new Summary(numbers.size(), sum, weights, label.orElse("none"), flag);
    }
}
