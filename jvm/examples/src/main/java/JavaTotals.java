import haze.api.Default;
import haze.api.HazeFunction;
import static org.apache.spark.sql.functions.*;

import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** Haze's API in Java: a DataFrame aggregation over a CSV file, the total of a column per group. */
public class JavaTotals implements HazeFunction {
    public Dataset<Row> run(SparkSession spark, String path, @Default("\"amount\"") String column, Optional<Double> minTotal) {
        Dataset<Row> totals = spark.read().option("header", "true").option("inferSchema", "true").csv(path)
            .groupBy("region").agg(sum(col(column)).as("total"), count(lit(1)).as("rows"))
            .orderBy("region");
        return minTotal.map(min -> totals.filter(col("total").geq(min))).orElse(totals);
    }
}
