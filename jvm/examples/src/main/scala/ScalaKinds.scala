import mist.api._
import mist.api.dsl._
import mist.api.encoding.defaults._
import org.apache.spark.sql.SparkSession

/** Several arguments, a default and an optional one, a SparkSession and MistExtras; the result is a map. */
object ScalaKinds extends MistFn {
  override def handle: Handle =
    withArgs(arg[Seq[Int]]("numbers"), arg[Int]("multiplier", 2), opt[String]("label"))
      .withMistExtras
      .onSparkSession((numbers: Seq[Int], multiplier: Int, label: Option[String], extras: MistExtras, spark: SparkSession) => {
        val doubled = spark.sparkContext.parallelize(numbers).map(_ * multiplier).collect().toSeq
        Map("values" -> doubled.map(_.toString), "label" -> Seq(label.getOrElse("none")), "job" -> Seq(extras.jobId))
      })
      .asHandle
}

/** Fails with an exception of the user's own. */
object ScalaThrows extends MistFn {
  override def handle: Handle = withArgs(arg[String]("reason")).onSparkContext((reason: String, sc: org.apache.spark.SparkContext) => {
    if (reason.nonEmpty) throw new IllegalStateException(s"refusing: $reason")
    0
  }).asHandle
}

/** Runs Spark jobs until cancelled (a job of `seconds` seconds, one after another). */
object ScalaSlow extends MistFn {
  override def handle: Handle = withArgs(arg[Int]("seconds", 600)).onSparkContext((seconds: Int, sc: org.apache.spark.SparkContext) => {
    sc.parallelize(1 to 2, 2).map { i => Thread.sleep(seconds * 1000L); i }.sum()
  }).asHandle
}

/** A validation rule that sleeps `millis`: the master's rule checker gives up on it after its timeout. */
object ScalaSlowRule extends MistFn {
  override def handle: Handle =
    withArgs(arg[Int]("millis").validated(ms => { Thread.sleep(ms.toLong); true }, "never refuses"))
      .onSparkContext((ms: Int, sc: org.apache.spark.SparkContext) => ms).asHandle
}
