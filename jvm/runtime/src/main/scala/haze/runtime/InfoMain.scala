package haze.runtime

import mist.api.data._
import java.io.{BufferedReader, File, InputStreamReader}
import java.nio.charset.StandardCharsets.UTF_8

/** The master's reader of `.jar` functions, without Spark started. Two modes:
  *
  *  - one batch (the info extractor, a short-lived JVM): stdin
  *    `{"requests": [{"path", "className", "argumentsJson"?}]}`, stdout `{"results": [...]}`, each
  *    `{ok, lang, execute, tags, contextKind, defaults, rules?, problem?}` or `{ok: false, error}`;
  *  - `--serve` (the rule checker, a JVM the master keeps while jobs come): one request per line,
  *    `{"id", "path", "sha1", "className", "argumentsJson"}`, one answer per line, `{"id", "ok": true,
  *    "problem"?}` or `{"id", "ok": false, "error"}`, until stdin closes (as it does when the master
  *    goes away). Artifacts are loaded once per SHA-1, as on a worker.
  *
  * With argumentsJson, `problem` is Mist's validation of those arguments, `validated` rules
  * included (absent when they fit). */
object InfoMain {
  def main(args: Array[String]): Unit = {
    if (args.contains("--serve")) serve() else batch()
    System.out.flush()
    System.exit(0)
  }

  private def batch(): Unit = {
    val input = new String(System.in.readAllBytes(), UTF_8)
    val requests = JsData.parse(input) match {
      case m: JsMap => m.fieldValue("requests") match {
        case JsList(items) => items
        case _ => Seq.empty
      }
      case _ => Seq.empty
    }
    val results = requests.map {
      case request: JsMap => answer(request, key = None)
      case _ => JsMap("ok" -> JsFalse, "error" -> JsString("a request must be an object"))
    }
    System.out.print(JsMap("results" -> JsList(results)).toJson)
  }

  private def serve(): Unit = {
    val in = new BufferedReader(new InputStreamReader(System.in, UTF_8))
    Iterator.continually(in.readLine()).takeWhile(_ != null).filter(_.nonEmpty).foreach { line =>
      val reply = try JsData.parse(line) match {
        case request: JsMap =>
          val key = request.fieldValue("sha1") match { case JsString(sha1) => Some(sha1); case _ => None }
          val answered = answer(request, key)
          JsMap((("id" -> request.fieldValue("id")) +: answered.map.toSeq.filter { case (k, _) => k == "ok" || k == "problem" || k == "error" }): _*)
        case _ => JsMap("ok" -> JsFalse, "error" -> JsString("a request must be an object"))
      } catch {
        case e: Exception => JsMap("ok" -> JsFalse, "error" -> JsString(s"unreadable request: ${e.getMessage}"))
      }
      System.out.println(reply.toJson)
      System.out.flush()
    }
  }

  /** One request: the function's signature, and the problem with `argumentsJson` if there is one. */
  private def answer(request: JsMap, key: Option[String]): JsMap =
    try {
      val JsString(path) = request.fieldValue("path"): @unchecked
      val JsString(className) = request.fieldValue("className"): @unchecked
      val name = new File(path).getName
      if (!new File(path).isFile) throw new JvmFunctions.LoadError(s"artifact not found: $path")
      // Without a SHA-1 (the batch reader) a loader per path, as before; it lives as long as this JVM.
      val (fn, cls) = JvmFunctions.load(JvmFunctions.loader(path, key.getOrElse(path)), className, name)
      val info = JvmFunctions.describe(fn, cls)
      request.fieldValue("argumentsJson") match {
        case JsString(text) =>
          val params = JsData.parse(text) match { case m: JsMap => m; case _ => JsMap.empty }
          JvmFunctions.validate(fn, params) match {
            case Some(problem) => JsMap((info.map.toSeq :+ ("problem" -> JsString(problem))): _*)
            case None => info
          }
        case _ => info
      }
    } catch {
      case error: Throwable => JvmFunctions.failure(error)
    }
}
