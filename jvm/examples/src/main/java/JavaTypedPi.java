import haze.api.Default;
import haze.api.HazeFunction;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;

/** Haze's API in Java: a pi estimate on a JavaSparkContext, with a default. */
public class JavaTypedPi implements HazeFunction {
    public double run(JavaSparkContext sc, @Default("10000") int samples) {
        List<Integer> numbers = new ArrayList<>(samples);
        for (int i = 0; i < samples; i++) numbers.add(i);
        long inside = sc.parallelize(numbers, 2).filter(i -> {
            double x = Math.random();
            double y = Math.random();
            return x * x + y * y < 1;
        }).count();
        return 4.0 * inside / samples;
    }
}
