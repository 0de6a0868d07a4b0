package haze.runtime

import mist.api._
import mist.api.data._
import org.apache.spark.SparkContext
import org.apache.spark.streaming.Duration

/** Runs one JVM function on the calling thread (a JVM worker's job thread, whose Spark job group
  * is the job's): loads it from its artifact's class loader, hands it its arguments and the Spark
  * objects, and delivers its result (ResultWriter: inline JSON text, or streamed to the master
  * while it is encoded, still in the job's thread and class loader). */
object JobRunner {
  sealed trait Outcome
  final case class Result(json: String) extends Outcome
  /** A result over resultLimit, stored on the master: its size there and its format. */
  final case class Stored(size: Long, format: String) extends Outcome
  final case class Failure(message: String, traceback: String) extends Outcome

  /** `onStart` is called with the job's FnContext once the function is loaded, just before it is
    * called (the job reports `started`, and a cancel from then on ends what the context holds). */
  def execute(jarPath: String, sha1: String, className: String, argumentsJson: String, jobId: String,
              workerId: String, streamingMs: Long, onStart: FullFnContext => Unit,
              deliver: mist.api.data.JsData => ResultWriter.Delivered): Outcome = try {
    val params = JsData.parse(argumentsJson) match {
      case m: JsMap => m
      case _ => throw new IllegalArgumentException("argumentsJson is not a JSON object")
    }
    val jarName = new java.io.File(jarPath).getName
    val (fn, _) = JvmFunctions.load(JvmFunctions.loader(jarPath, sha1), className, jarName)
    val sc = SparkContext.getOrCreate()
    // Executors (local ones too) load the function's closures from the jar.
    if (!sc.listJars().exists(_.endsWith("/" + jarName))) sc.addJar(jarPath)
    val ctx = FnContext(sc, params, Duration(streamingMs), RuntimeJobInfo(jobId, workerId))
    val previous = Thread.currentThread().getContextClassLoader
    Thread.currentThread().setContextClassLoader(fn.getClass.getClassLoader)
    try {
      onStart(ctx)
      fn.execute(ctx) match {
        case scala.util.Success(result) => deliver(result) match {
          case ResultWriter.Inline(json) => Result(json)
          case ResultWriter.Stored(size, format) => Stored(size, format)
        }
        case scala.util.Failure(error) => JvmFunctions.failed(error)
      }
    } finally {
      Thread.currentThread().setContextClassLoader(previous)
      ctx.end()
    }
  } catch {
    case error: Throwable => JvmFunctions.failed(error)
  }
}
