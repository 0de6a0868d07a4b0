import mist.api._
import mist.api.dsl._
import mist.api.encoding.defaults._
import org.apache.spark.SparkContext

/** Where it runs: the driver's pid and its Java command line (spark-submit's, naming the worker class). */
object JvmWhere extends MistFn {
  override def handle: Handle = withArgs(arg[Int]("holdMs", 0)).onSparkContext((holdMs: Int, sc: SparkContext) => {
    Thread.sleep(holdMs.toLong)
    Map("pid" -> ProcessHandle.current().pid().toString, "command" -> System.getProperty("sun.java.command", ""),
      "applicationId" -> sc.applicationId)
  }).asHandle
}

/** Talks while it works: `lines` lines of `marker` through Scala's println, System.out, System.err,
  * log4j (through SLF4J) and a thread of its own, `pauseMs` apart, and runs a Spark job. */
object JvmTalks extends MistFn with Logging {
  override def handle: Handle =
    withArgs(arg[String]("marker"), arg[Int]("lines", 3), arg[Int]("pauseMs", 0)).onSparkContext(
      (marker: String, lines: Int, pauseMs: Int, sc: SparkContext) => {
        for (i <- 1 to lines) {
          println(s"println $marker $i")
          System.out.println(s"System.out $marker $i")
          System.err.println(s"System.err $marker $i")
          logger.info(s"log4j $marker $i")
          Thread.sleep(pauseMs.toLong)
        }
        val helper = new Thread(() => println(s"thread $marker"))
        helper.start()
        helper.join()
        sc.parallelize(1 to 4, 2).count()
        marker
      }).asHandle
}

/** Ignores a cancel: for `seconds` it sleeps in a loop that swallows interrupts and starts no
  * Spark job, so only recycling its worker ends it. */
object JvmStubborn extends MistFn {
  override def handle: Handle = withArgs(arg[Int]("seconds", 600)).onSparkContext((seconds: Int, sc: SparkContext) => {
    val end = System.nanoTime() + seconds * 1000000000L
    while (System.nanoTime() < end) try Thread.sleep(100) catch { case _: InterruptedException => }
    seconds
  }).asHandle
}

/** A string of `size` x's: over the master's resultLimit, the worker uploads it. */
object JvmBig extends MistFn {
  override def handle: Handle = withArgs(arg[Int]("size")).onSparkContext((size: Int, sc: SparkContext) => "x" * size).asHandle
}

/** A DataFrame of `rows` rows (`id`, and `pad`: `width` x's) in `partitions` partitions: over
  * resultLimit it is stored as JSON lines, read a partition at a time, never collected whole. */
object JvmRows extends MistFn {
  import mist.api.encoding.spark._
  override def handle: Handle = withArgs(arg[Int]("rows"), arg[Int]("width"), arg[Int]("partitions"))
    .onSparkSession((rows: Int, width: Int, partitions: Int, spark: org.apache.spark.sql.SparkSession) =>
      spark.range(0, rows.toLong, 1L, partitions).selectExpr("id", s"repeat('x', $width) AS pad")).asHandle
}

/** `count` strings (the index in 9 digits, then `width` y's), produced by an Iterator as the
  * result is written: a big result that never exists whole. */
object JvmLazy extends MistFn {
  override def handle: Handle = withArgs(arg[Int]("count"), arg[Int]("width")).onSparkContext((count: Int, width: Int, sc: SparkContext) =>
    Iterator.range(0, count).map(i => f"$i%09d" + "y" * width)).asHandle
}
