package haze.runtime

import haze.runtime.LinkFrames.LogLine
import java.io.{ByteArrayOutputStream, OutputStream, PrintStream}
import java.nio.charset.StandardCharsets.UTF_8
import org.apache.logging.log4j.{Level, LogManager}
import org.apache.logging.log4j.core.{Appender, Filter, LogEvent, LoggerContext}
import org.apache.logging.log4j.core.appender.AbstractAppender
import org.apache.logging.log4j.core.config.Property
import org.apache.logging.log4j.core.filter.{AbstractFilter, AbstractFilterable}
import org.apache.spark.TaskContext
import scala.collection.mutable

/** Routes a job's output to that job, by thread: `System.out`/`System.err` (and Scala's
  * `Console`) are replaced by proxies, and a log4j2 appender on the root logger takes every
  * record. Each checks the job of the writing thread (an inheritable thread-local: threads a job
  * starts write for it too): a line of a running job becomes one of its log lines, so the output
  * of jobs running side by side never mixes; anything else goes where it went before (the
  * worker's own output, which the master keeps). A job's records are kept off the console
  * appenders, so they are not also in the worker's output. A thread running a Spark task (local
  * executors run them in the driver) writes for the job whose job group the task belongs to,
  * whoever started that thread.
  *
  * Lines are batched per job and sent as `log` frames every ~100 ms, or at once when a job has
  * 200 lines waiting. `endJob` sends the job's last partial lines and pending batch before its
  * terminal frame is queued, so the terminal frame always follows its logs. Levels: stdout →
  * INFO (`stdout`), stderr → WARN (`stderr`), a record → its level (source: the logger's name);
  * records below INFO are dropped, as on the Python worker. */
final class WorkerOutput(send: String => Unit, throttle: () => Unit) {
  private val active = mutable.Set.empty[String]
  private val partial = mutable.Map.empty[(String, String), ByteArrayOutputStream]
  private val pending = mutable.Map.empty[String, mutable.ArrayBuffer[LogLine]]

  private val flusher = new Thread(() => while (true) { Thread.sleep(WorkerOutput.FlushMs); flushAll() }, "haze-log-flusher")
  flusher.setDaemon(true)
  flusher.start()

  def startJob(jobId: String): Unit = synchronized(active += jobId)

  def isActive(jobId: String): Boolean = jobId != null && synchronized(active.contains(jobId))

  /** Sends the job's remaining output; later output of its threads goes to the worker's own. */
  def endJob(jobId: String): Unit = synchronized {
    active -= jobId
    partial.keys.filter(_._1 == jobId).toList.foreach { key =>
      val bytes = partial.remove(key).get
      if (bytes.size > 0) add(jobId, if (key._2 == "stdout") "INFO" else "WARN", key._2, bytes.toString(UTF_8), now())
    }
    pending.remove(jobId).foreach(batch => send(LinkFrames.log(jobId, batch.toSeq)))
  }

  /** A record of a job; false if the job is not running (then it goes elsewhere). */
  def record(jobId: String, level: String, source: String, message: String, time: Long): Boolean = {
    throttle()
    synchronized {
      if (!active.contains(jobId)) return false
      add(jobId, level, source, message, time)
    }
    true
  }

  /** Bytes a job wrote to stdout or stderr; false if the job is not running. */
  def write(jobId: String, source: String, bytes: Array[Byte], offset: Int, length: Int): Boolean = {
    throttle()
    synchronized {
      if (!active.contains(jobId)) return false
      val buffer = partial.getOrElseUpdate((jobId, source), new ByteArrayOutputStream())
      var start = offset
      for (i <- offset until offset + length if bytes(i) == '\n') {
        buffer.write(bytes, start, i - start)
        val line = buffer.toString(UTF_8).stripSuffix("\r")
        buffer.reset()
        add(jobId, if (source == "stdout") "INFO" else "WARN", source, line, now())
        start = i + 1
      }
      buffer.write(bytes, start, offset + length - start)
    }
    true
  }

  /** Adds a line, and sends the job's batch if it is full now. Frames are queued on the link
    * under this object's lock (never blocking), so a job's batches keep their order. */
  private def add(jobId: String, level: String, source: String, message: String, time: Long): Unit = {
    val text = if (message.length <= WorkerOutput.MaxLine) message
      else s"${message.take(WorkerOutput.MaxLine)} … [${message.length - WorkerOutput.MaxLine} more characters cut]"
    val batch = pending.getOrElseUpdate(jobId, mutable.ArrayBuffer.empty)
    batch += LogLine(level, time, source, text)
    if (batch.size >= WorkerOutput.BatchLines) send(LinkFrames.log(jobId, pending.remove(jobId).get.toSeq))
  }

  private def flushAll(): Unit = synchronized {
    pending.foreach { case (jobId, lines) => if (lines.nonEmpty) send(LinkFrames.log(jobId, lines.toSeq)) }
    pending.clear()
  }

  private def now(): Long = System.currentTimeMillis()
}

object WorkerOutput {
  private val FlushMs = 100L
  private val BatchLines = 200
  private val MaxLine = 64 * 1024

  /** The process's real streams, as they were before `install`. */
  val originalOut: PrintStream = System.out
  val originalErr: PrintStream = System.err

  private val currentJob = new InheritableThreadLocal[String]
  private val JobGroupProperty = "spark.jobGroup.id"

  /** The job the calling thread works for (null: none): the job group of the Spark task it runs,
    * else the job that started it (set by the job's thread for itself, inherited by its threads). */
  def job: String = {
    val task = TaskContext.get()
    val group = if (task == null) null else task.getLocalProperty(JobGroupProperty)
    if (group != null) group else currentJob.get
  }
  def assign(jobId: String): Unit = if (jobId == null) currentJob.remove() else currentJob.set(jobId)

  /** Replaces System.out and System.err; returns the stdout and stderr proxies, which a job's
    * thread also installs as Scala's `Console.out`/`Console.err`. */
  def install(output: WorkerOutput): (PrintStream, PrintStream) = {
    val out = new PrintStream(new JobStream(output, "stdout", originalOut), true, UTF_8)
    val err = new PrintStream(new JobStream(output, "stderr", originalErr), true, UTF_8)
    System.setOut(out)
    System.setErr(err)
    (out, err)
  }

  /** Routes a job's log4j2 records to it. Called once Spark has started: spark-submit leaves
    * log4j2 unconfigured for the application, and Spark loads its own defaults (root at INFO, a
    * console appender) at its first log line only if the configuration is still log4j2's default
    * one; hooked before, the root logger would stay at ERROR and a job's INFO records would never
    * come. A later reconfiguration (a function loading a log4j2 file) is hooked again. */
  def routeLog4j(output: WorkerOutput): Unit = LogManager.getContext(false) match {
    case context: LoggerContext =>
      hook(context, output)
      context.addPropertyChangeListener(event =>
        if (event.getPropertyName == LoggerContext.PROPERTY_CONFIG) hook(context, output))
    case other =>
      originalErr.println(s"haze worker: log4j2 is not Spark's logging backend here (${other.getClass.getName}); a job's log records stay in the worker's output")
  }

  private final class JobStream(output: WorkerOutput, source: String, real: OutputStream) extends OutputStream {
    override def write(b: Int): Unit = write(Array(b.toByte), 0, 1)
    override def write(bytes: Array[Byte], offset: Int, length: Int): Unit = {
      val jobId = job
      if (jobId == null || !output.write(jobId, source, bytes, offset, length)) real.write(bytes, offset, length)
    }
    override def flush(): Unit = real.flush()
  }

  private val AppenderName = "haze-jobs"

  private def hook(context: LoggerContext, output: WorkerOutput): Unit = synchronized {
    val config = context.getConfiguration
    if (config.getAppender[Appender](AppenderName) == null) {
      // Records of a running job go to it alone: the console appenders let them pass no more.
      val ofAJob = new AbstractFilter(Filter.Result.DENY, Filter.Result.NEUTRAL) {
        override def filter(event: LogEvent): Filter.Result = if (output.isActive(job)) onMatch else onMismatch
      }
      config.getAppenders.values.forEach {
        case filterable: AbstractFilterable => filterable.addFilter(ofAJob)
        case _ =>
      }
      val appender = new AbstractAppender(AppenderName, null, null, true, Property.EMPTY_ARRAY) {
        override def append(event: LogEvent): Unit = {
          val jobId = job
          val level = event.getLevel.intLevel() match {
            case l if l <= Level.ERROR.intLevel() => "ERROR"
            case l if l <= Level.WARN.intLevel() => "WARN"
            case l if l <= Level.INFO.intLevel() => "INFO"
            case _ => null
          }
          if (jobId != null && level != null) {
            val thrown = Option(event.getThrown).map { t =>
              val text = new java.io.StringWriter
              t.printStackTrace(new java.io.PrintWriter(text))
              "\n" + text.toString.stripSuffix("\n")
            }.getOrElse("")
            output.record(jobId, level, event.getLoggerName, event.getMessage.getFormattedMessage + thrown, event.getTimeMillis)
          }
        }
      }
      appender.start()
      config.addAppender(appender)
      config.getRootLogger.addAppender(appender, null, null)
      context.updateLoggers()
    }
  }
}
