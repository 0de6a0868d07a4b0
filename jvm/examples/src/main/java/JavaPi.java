import static mist.api.jdsl.Jdsl.*;

import java.util.ArrayList;
import java.util.List;
import mist.api.Handle;
import mist.api.MistFn;
import mist.api.jdsl.JArg;
import mist.api.jdsl.JEncoders;

/** A pi estimate in Mist's Java DSL, with a validation rule and a default. */
public class JavaPi extends MistFn {
    @Override
    public Handle handle() {
        JArg<Integer> samples = intArg("samples", 1000).validated(s -> s > 0, "samples must be positive");
        return withArgs(samples).onSparkContext((n, sc) -> {
            List<Integer> numbers = new ArrayList<>(n);
            for (int i = 0; i < n; i++) numbers.add(i);
            long inside = sc.parallelize(numbers).filter(i -> {
                double x = Math.random();
                double y = Math.random();
                return x * x + y * y < 1;
            }).count();
            return 4.0 * inside / n;
        }).toHandle(JEncoders.doubleEncoder());
    }
}
