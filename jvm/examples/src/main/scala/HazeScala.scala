import haze.api.HazeFunction
import org.apache.spark.SparkContext
import org.apache.spark.rdd.RDD
import org.apache.spark.sql.{DataFrame, SparkSession}
import org.apache.spark.sql.functions._
import org.apache.spark.streaming.StreamingContext
import scala.collection.mutable

// Functions in Haze's own API, in Scala: a public `run` whose parameters are the arguments.

/** A pi estimate: a default argument, a SparkContext. */
object TypedPi extends HazeFunction {
  def run(sc: SparkContext, samples: Int = 100000): Double = {
    val inside = sc.parallelize(1 to samples, 2).filter { _ =>
      val x = math.random()
      val y = math.random()
      x * x + y * y < 1
    }.count()
    4.0 * inside / samples
  }
}

/** A DataFrame aggregation over a CSV file: the total of a column per group, as rows. */
object TypedTotals extends HazeFunction {
  def run(spark: SparkSession, path: String, column: String = "amount", minTotal: Option[Double]): DataFrame = {
    val totals = spark.read.option("header", "true").option("inferSchema", "true").csv(path)
      .groupBy("region").agg(sum(col(column)).as("total"), count(lit(1)).as("rows"))
      .orderBy("region")
    minTotal.fold(totals)(min => totals.filter(col("total") >= min))
  }
}

final case class Line(item: String, quantity: Int, price: Double = 1.0)

/** Lists, maps, a case class and every scalar type; the result is a case class too. */
object TypedKinds extends HazeFunction {
  final case class Summary(lines: Int, total: Double, tags: Map[String, Boolean], note: Option[String], big: Long)

  def run(lines: Seq[Line], tags: Map[String, Boolean], note: Option[String], big: Long, weights: Vector[Double] = Vector(1.0)): Summary =
    Summary(lines.size, lines.map(l => l.quantity * l.price).sum * weights.sum, tags, note, big)
}

/** A streaming job: `batches` batches of a queue stream, counted; returns the counts. */
object TypedStreaming extends HazeFunction {
  def run(ssc: StreamingContext, batches: Int = 3): Seq[Long] = {
    val queue = mutable.Queue[RDD[Int]]((1 to batches).map(b => ssc.sparkContext.parallelize(1 to b * 10)): _*)
    val counts = mutable.ArrayBuffer.empty[Long]
    ssc.queueStream(queue).foreachRDD(rdd => counts.synchronized(counts += rdd.count()))
    ssc.start()
    val deadline = System.nanoTime() + 60L * 1000 * 1000 * 1000
    while (counts.synchronized(counts.size) < batches && System.nanoTime() < deadline) Thread.sleep(50)
    ssc.stop()
    counts.synchronized(counts.toList).take(batches)
  }
}

/** Throws from the user's own code, below a helper of its own. */
object TypedThrows extends HazeFunction {
  private def check(limit: Int): Int = if (limit < 10) throw new ArithmeticException(s"limit $limit is below 10") else limit
  def run(limit: Int): Int = check(limit)
}

/** Nothing but the call: the benchmark's trivial function. */
object Noop extends HazeFunction {
  def run(): Int = 1
}

/** The benchmark's small Spark job: the sum of 0 … n-1 over two partitions. */
object SumMillion extends HazeFunction {
  def run(sc: SparkContext, n: Long = 1000000L): Long = sc.range(0L, n, 1L, 2).reduce(_ + _)
}
