package mist.api

import mist.api.data.JsMap
import org.apache.spark.SparkContext
import org.apache.spark.sql.SparkSession
import org.apache.spark.streaming.Duration
import scala.collection.mutable.ArrayBuffer

/** What a job runs with: its arguments and, on a worker, the Spark objects. */
sealed trait FnContext {
  val params: JsMap
}

final case class FullFnContext(sc: SparkContext, streamingDuration: Duration, info: RuntimeJobInfo, params: JsMap)
    extends FnContext {
  private val cleanups = ArrayBuffer.empty[() => Unit]

  /** The worker's session (PySpark made it the default one). */
  def sparkSession: SparkSession =
    SparkSession.getActiveSession.orElse(SparkSession.getDefaultSession).getOrElse(SparkSession.builder().getOrCreate())

  /** Something to undo once the job has ended (a StreamingContext to stop). */
  def onEnd(cleanup: () => Unit): Unit = synchronized(cleanups += cleanup)

  /** Runs every cleanup, even when one fails; the first failure is thrown after. */
  def end(): Unit = {
    val all = synchronized { val copy = cleanups.toList.reverse; cleanups.clear(); copy }
    val errors = all.flatMap(c => scala.util.Try(c()).failed.toOption)
    errors.headOption.foreach(e => throw e)
  }
}

object FnContext {
  def onlyInput(in: JsMap): FnContext = new FnContext { val params: JsMap = in }
  def apply(sc: SparkContext, params: JsMap, streamingDuration: Duration = Duration(1000),
            info: RuntimeJobInfo = RuntimeJobInfo.Unknown): FullFnContext = FullFnContext(sc, streamingDuration, info, params)
}

final case class RuntimeJobInfo(id: String, workerId: String)
object RuntimeJobInfo {
  val Unknown: RuntimeJobInfo = RuntimeJobInfo("unknown", "unknown")
}

/** Access to the job's identity: `withArgs(...).withMistExtras.onSparkContext((…, extras: MistExtras, sc) => …)`. */
class MistExtras(val jobId: String, val workerId: String) extends Serializable
object MistExtras {
  val mistExtras: ArgDef[MistExtras] =
    SystemArg(Seq.empty, ctx => Extracted(new MistExtras(ctx.info.id, ctx.info.workerId)))
}

trait Logging {
  @transient lazy val logger: org.slf4j.Logger = org.slf4j.LoggerFactory.getLogger(this.getClass)
}
