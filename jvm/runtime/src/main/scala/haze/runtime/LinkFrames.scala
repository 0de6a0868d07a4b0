package haze.runtime

import com.fasterxml.jackson.core.json.JsonWriteFeature
import com.fasterxml.jackson.databind.{JsonNode, ObjectMapper}
import com.fasterxml.jackson.databind.json.JsonMapper
import com.fasterxml.jackson.databind.node.ObjectNode
import scala.jdk.CollectionConverters._

/** The worker link's frames on the JVM side (protocol/worker-link.schema.json is the contract).
  *
  * Master → worker frames are checked here field by field, exactly as the schema states them
  * (required fields, types, patterns, no additional properties), as the Python worker's frames.py
  * does: the worker never acts on a frame that breaks the contract, nor crashes on one. Worker →
  * master frames are built here and nowhere else. test/jvm-link-frames.test.ts holds both
  * directions to the schema file (through `haze.runtime.LinkFramesCheck`). */
object LinkFrames {
  /** The link's version; the master refuses a hello with another. The schema's hello.protocolVersion. */
  val ProtocolVersion = 1
  /** This worker's language, as hello.lang names it. */
  val Lang = "jvm"

  val ContextKinds: Seq[String] =
    Seq("spark_session", "spark_context", "sql_context", "hive_session", "hive_context", "streaming_context")
  private val FunctionLangs = Set("python", "java", "scala")
  private val JobId = "[A-Za-z0-9_-]{1,100}".r
  private val Sha1 = "[0-9a-f]{40}".r

  // Non-ASCII characters are escaped: a frame is always valid UTF-8, even when a job's text holds
  // a lone surrogate, which UTF-8 cannot carry.
  private val mapper: ObjectMapper = JsonMapper.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build()

  final class BadFrame(message: String) extends Exception(message)

  sealed trait MasterFrame
  final case class Run(jobId: String, artifactName: String, sha1: String, url: String, className: String,
                       argumentsJson: String, contextKind: String, streamingDuration: Long, resultLimit: Long,
                       lang: String, resultUrl: String) extends MasterFrame
  final case class Cancel(jobId: String) extends MasterFrame
  case object Shutdown extends MasterFrame
  final case class Heartbeat(time: Long) extends MasterFrame

  final case class LogLine(level: String, time: Long, source: String, message: String)

  /** The frame in `text`, or BadFrame saying what is wrong with it. */
  def parse(text: String): MasterFrame = {
    val frame = try mapper.readTree(text) catch {
      case e: com.fasterxml.jackson.core.JacksonException => throw new BadFrame(s"not JSON: ${e.getOriginalMessage}")
    }
    if (frame == null || !frame.isObject) throw new BadFrame("not a JSON object")
    val kind = frame.get("type")
    if (kind == null || !kind.isTextual) throw new BadFrame("unexpected frame type " + Option(kind).map(_.toString).getOrElse("(none)"))
    kind.asText match {
      case "run" =>
        fields(frame, "run", Seq("type", "jobId", "artifact", "className", "argumentsJson", "contextKind",
          "streamingDuration", "resultLimit", "resultUrl", "lang"))
        val artifact = frame.get("artifact")
        if (!artifact.isObject) throw new BadFrame("run.artifact: not an object")
        fields(artifact, "run.artifact", Seq("name", "sha1", "url"))
        val contextKind = string(frame, "contextKind", "run")
        if (!ContextKinds.contains(contextKind)) throw new BadFrame(s"run.contextKind: unknown kind $contextKind")
        val lang = string(frame, "lang", "run")
        if (!FunctionLangs.contains(lang)) throw new BadFrame(s"run.lang: unknown language $lang")
        Run(jobId(frame, "run"), string(artifact, "name", "run.artifact"), string(artifact, "sha1", "run.artifact", Some(Sha1)),
          string(artifact, "url", "run.artifact"), string(frame, "className", "run"), string(frame, "argumentsJson", "run"),
          contextKind, integer(frame, "streamingDuration", "run", 1), integer(frame, "resultLimit", "run", 1), lang,
          string(frame, "resultUrl", "run"))
      case "cancel" =>
        fields(frame, "cancel", Seq("type", "jobId"))
        Cancel(jobId(frame, "cancel"))
      case "shutdown" =>
        fields(frame, "shutdown", Seq("type"))
        Shutdown
      case "heartbeat" =>
        fields(frame, "heartbeat", Seq("type", "time"), Seq("runningJobs"))
        val jobs = frame.get("runningJobs")
        if (jobs != null && !(jobs.isArray && jobs.elements().asScala.forall(j => j.isTextual && JobId.matches(j.asText))))
          throw new BadFrame("heartbeat.runningJobs: not a list of job ids")
        Heartbeat(integer(frame, "time", "heartbeat", 0))
      case other => throw new BadFrame(s"unexpected frame type $other")
    }
  }

  // -- worker → master -------------------------------------------------------------------------

  def hello(workerId: String, token: String, pid: Long, versions: Map[String, String]): String = {
    val frame = obj("hello").put("workerId", workerId).put("token", token).put("pid", pid)
      .put("lang", Lang).put("protocolVersion", ProtocolVersion)
    val v = frame.putObject("versions")
    versions.foreach { case (k, value) => v.put(k, value) }
    text(frame)
  }

  def ready(sparkVersion: String, applicationId: String, sparkUi: Option[String]): String = {
    val frame = obj("ready").put("sparkVersion", sparkVersion).put("applicationId", applicationId)
    sparkUi.foreach(frame.put("sparkUi", _))
    text(frame)
  }

  def downloading(jobId: String, time: Long): String = text(obj("job-file-downloading").put("jobId", jobId).put("time", time))

  def started(jobId: String, time: Long): String = text(obj("started").put("jobId", jobId).put("time", time))

  def log(jobId: String, lines: Seq[LogLine]): String = {
    val frame = obj("log").put("jobId", jobId)
    val array = frame.putArray("lines")
    lines.foreach { line =>
      array.addObject().put("level", line.level).put("time", line.time).put("source", line.source).put("message", line.message)
    }
    text(frame)
  }

  def finished(jobId: String, time: Long, resultJson: String): String =
    text(obj("finished").put("jobId", jobId).put("time", time).put("resultJson", resultJson))

  /** A result too big for a frame, stored on the master through run.resultUrl. */
  def finishedStored(jobId: String, time: Long, size: Long, format: String): String = {
    val frame = obj("finished").put("jobId", jobId).put("time", time)
    frame.putObject("resultFile").put("size", size).put("format", format)
    text(frame)
  }

  def failed(jobId: String, time: Long, message: String, traceback: Option[String], cancelled: Boolean): String = {
    val frame = obj("failed").put("jobId", jobId).put("time", time).put("message", message).put("cancelled", cancelled)
    traceback.filter(_.nonEmpty).foreach(frame.put("traceback", _))
    text(frame)
  }

  def heartbeat(time: Long, runningJobs: Seq[String]): String = {
    val frame = obj("heartbeat").put("time", time)
    val array = frame.putArray("runningJobs")
    runningJobs.foreach(array.add)
    text(frame)
  }

  // -- helpers ---------------------------------------------------------------------------------

  private def obj(kind: String): ObjectNode = mapper.createObjectNode().put("type", kind)

  private def text(frame: ObjectNode): String = mapper.writeValueAsString(frame)

  private def fields(node: JsonNode, where: String, required: Seq[String], optional: Seq[String] = Nil): Unit = {
    val missing = required.filterNot(node.has)
    if (missing.nonEmpty) throw new BadFrame(s"$where: missing ${missing.mkString(", ")}")
    val extra = node.fieldNames().asScala.toSeq.filterNot(n => required.contains(n) || optional.contains(n)).sorted
    if (extra.nonEmpty) throw new BadFrame(s"$where: unexpected ${extra.mkString(", ")}")
  }

  private def jobId(node: JsonNode, where: String): String = string(node, "jobId", where, Some(JobId))

  private def string(node: JsonNode, name: String, where: String, pattern: Option[scala.util.matching.Regex] = None): String = {
    val value = node.get(name)
    if (value == null || !value.isTextual || pattern.exists(p => !p.matches(value.asText)))
      throw new BadFrame(s"$where.$name: not a valid string: ${String.valueOf(value).take(100)}")
    value.asText
  }

  /** JSON Schema's "integer": a number without a fractional part (`5.0` counts). */
  private def integer(node: JsonNode, name: String, where: String, minimum: Long): Long = {
    val value = node.get(name)
    val whole = value != null && value.isNumber && (value.isIntegralNumber || {
      val d = value.doubleValue(); !d.isInfinite && d == Math.floor(d)
    })
    if (!whole || value.longValue() < minimum) throw new BadFrame(s"$where.$name: not an integer >= $minimum")
    value.longValue()
  }
}

/** The contract check's JVM end (test/jvm-link-frames.test.ts): reads master frames, one per line
  * on stdin, and answers `ok <type>` or `bad <reason>` for each; with `samples`, prints one frame
  * of every worker → master type as built above, one per line. No Spark is started. */
object LinkFramesCheck {
  def main(args: Array[String]): Unit = {
    if (args.headOption.contains("samples")) {
      val line = LinkFrames.LogLine("INFO", 1L, "stdout", "h\u00e9llo \ud800")
      Seq(
        LinkFrames.hello("w-1", "t", 42L, Map("java" -> "17", "scala" -> "2.13", "spark" -> "4", "worker" -> "0.1.0")),
        LinkFrames.ready("4.3.0", "local-1", Some("http://h:4040")),
        LinkFrames.ready("4.3.0", "local-1", None),
        LinkFrames.downloading("job-1", 1L),
        LinkFrames.started("job-1", 1L),
        LinkFrames.log("job-1", Seq(line, line.copy(level = "WARN", source = "org.example.Fn"))),
        LinkFrames.finished("job-1", 1L, "[1,2]"),
        LinkFrames.finishedStored("job-1", 1L, 300002L, "json"),
        LinkFrames.failed("job-1", 1L, "java.lang.IllegalStateException: no", Some("\tat Fn.apply(Fn.scala:1)\n"), cancelled = false),
        LinkFrames.failed("job-1", 1L, "job cancelled", None, cancelled = true),
        LinkFrames.heartbeat(1L, Seq("job-1", "job-2")),
        LinkFrames.heartbeat(1L, Nil),
      ).foreach(println)
      return
    }
    val in = new java.io.BufferedReader(new java.io.InputStreamReader(System.in, java.nio.charset.StandardCharsets.UTF_8))
    Iterator.continually(in.readLine()).takeWhile(_ != null).foreach { text =>
      val answer = try {
        LinkFrames.parse(text) match {
          case _: LinkFrames.Run => "ok run"
          case _: LinkFrames.Cancel => "ok cancel"
          case LinkFrames.Shutdown => "ok shutdown"
          case _: LinkFrames.Heartbeat => "ok heartbeat"
        }
      } catch { case e: LinkFrames.BadFrame => "bad " + e.getMessage.replace('\n', ' ') }
      println(answer)
    }
  }
}
