package haze.runtime

import mist.api._
import mist.api.data._
import org.apache.spark.SparkContext
import org.apache.spark.streaming.Duration

/** The worker's entry point for a JVM function, called through py4j on the job's thread (whose
  * Spark job group the Python side has set). Arguments and answer are JSON text:
  * `{"ok": true, "resultJson": "…"}` or `{"ok": false, "error": "…", "traceback": "…"}`. */
object JobRunner {
  def run(jarPath: String, sha1: String, className: String, argumentsJson: String,
          jobId: String, workerId: String, streamingMs: Long): String = {
    val answer = try {
      val params = JsData.parse(argumentsJson) match {
        case m: JsMap => m
        case _ => throw new IllegalArgumentException("argumentsJson is not a JSON object")
      }
      val (fn, _) = JvmFunctions.load(JvmFunctions.loader(jarPath, sha1), className, new java.io.File(jarPath).getName)
      val sc = SparkContext.getOrCreate()
      // Executors (local ones too) load the function's closures from the jar.
      if (!sc.listJars().exists(_.endsWith("/" + new java.io.File(jarPath).getName))) sc.addJar(jarPath)
      val ctx = FnContext(sc, params, Duration(streamingMs), RuntimeJobInfo(jobId, workerId))
      val previous = Thread.currentThread().getContextClassLoader
      Thread.currentThread().setContextClassLoader(fn.getClass.getClassLoader)
      try {
        fn.execute(ctx) match {
          case scala.util.Success(result) => JsMap("ok" -> JsTrue, "resultJson" -> JsString(result.toJson))
          case scala.util.Failure(error) => JvmFunctions.failure(error)
        }
      } finally {
        Thread.currentThread().setContextClassLoader(previous)
        ctx.end()
      }
    } catch {
      case error: Throwable => JvmFunctions.failure(error)
    }
    answer.toJson
  }
}
