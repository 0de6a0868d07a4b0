package haze.api;

/**
 * Haze's own JVM function API: a class (Java) or object (Scala) that implements this interface
 * and has one public method named {@code run}. The method's parameters are the function's
 * arguments, typed by their declared types, as a Python function's are by its type hints:
 * <ul>
 *   <li>a Spark object, if the function needs one: {@code SparkSession}, {@code SparkContext},
 *       {@code JavaSparkContext}, {@code SQLContext}, {@code StreamingContext} or
 *       {@code JavaStreamingContext} (handed in by the worker, not read from the job's JSON);</li>
 *   <li>every other parameter is read from the job's JSON arguments by its name:
 *       {@code int}/{@code Int}, {@code long}/{@code Long}, {@code double}, {@code float},
 *       {@code String}, {@code boolean}, lists ({@code List<T>}, {@code Seq[T]}, {@code Array[T]}),
 *       maps with string keys ({@code Map<String, T>}), optional values ({@code Optional<T>},
 *       {@code Option[T]}) and, in Scala, case classes (read as JSON objects).</li>
 * </ul>
 * Defaults: Scala's own default arguments ({@code samples: Int = 1000}); in Java,
 * {@link Default} with the value as JSON text. Java parameter names come from the class file
 * (compile with {@code javac -parameters}) or from {@link Arg}.
 * <p>
 * The result may be any value JSON can hold: numbers, strings, booleans, null, Java and Scala
 * collections and maps, Java records and Scala case classes (as objects), Spark {@code Row}s,
 * and Datasets and DataFrames (collected, each row an object).
 */
public interface HazeFunction {
}
