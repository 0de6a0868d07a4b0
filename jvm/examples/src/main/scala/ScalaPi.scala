import mist.api._
import mist.api.dsl._
import mist.api.encoding.defaults._
import org.apache.spark.SparkContext

/** A pi estimate in Mist's Scala DSL, with a validation rule. */
object ScalaPi extends MistFn {
  override def handle: Handle = {
    val samples = arg[Int]("samples").validated(_ > 0, "samples must be positive")
    withArgs(samples).onSparkContext((n: Int, sc: SparkContext) => {
      val inside = sc.parallelize(1 to n).filter { _ =>
        val x = math.random()
        val y = math.random()
        x * x + y * y < 1
      }.count()
      4.0 * inside / n
    }).asHandle
  }
}
