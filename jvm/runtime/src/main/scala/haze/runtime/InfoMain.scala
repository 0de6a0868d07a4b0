package haze.runtime

import mist.api.data._
import java.io.File

/** The master's short-lived signature reader for `.jar` artifacts (no Spark started):
  * stdin `{"requests": [{"path", "className", "argumentsJson"?}]}`, stdout `{"results": [...]}`,
  * each `{ok, lang, execute, tags, contextKind, defaults, problem?}` or `{ok: false, error}`.
  * With argumentsJson, `problem` is Mist's validation of those arguments (absent when they fit). */
object InfoMain {
  def main(args: Array[String]): Unit = {
    val input = new String(System.in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)
    val requests = JsData.parse(input) match {
      case m: JsMap => m.fieldValue("requests") match {
        case JsList(items) => items
        case _ => Seq.empty
      }
      case _ => Seq.empty
    }
    val results = requests.map {
      case request: JsMap =>
        try {
          val JsString(path) = request.fieldValue("path"): @unchecked
          val JsString(className) = request.fieldValue("className"): @unchecked
          val name = new File(path).getName
          if (!new File(path).isFile) throw new JvmFunctions.LoadError(s"artifact not found: $path")
          val (fn, cls) = JvmFunctions.load(JvmFunctions.loader(path, path), className, name)
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
      case _ => JsMap("ok" -> JsFalse, "error" -> JsString("a request must be an object"))
    }
    System.out.print(JsMap("results" -> JsList(results)).toJson)
    System.out.flush()
    System.exit(0)
  }
}
