package haze.runtime

import java.io.PrintStream
import java.net.URI
import java.net.http.HttpClient
import java.util.concurrent.{ConcurrentHashMap, CountDownLatch, TimeUnit}
import java.util.concurrent.atomic.AtomicBoolean
import org.apache.spark.SparkConf
import org.apache.spark.sql.SparkSession
import scala.jdk.CollectionConverters._

/** The JVM worker: one SparkSession, one link to the master, jobs in threads of their own. It
  * speaks the same worker link as the Python worker (protocol/worker-link.schema.json), and is
  * started by the master through spark-submit (`--class haze.runtime.WorkerMain haze-jvm.jar`),
  * whose JVM is this driver, with in its environment:
  *
  *  - `HAZE_MASTER_URL` (`http[s]://host:port`; the link is `ws[s]://…/internal/workers/link`,
  *    artifact URLs are resolved against it), `HAZE_WORKER_ID`, `HAZE_WORKER_TOKEN` (one-time);
  *  - `HAZE_WORKER_CREDENTIAL` (optional): the bearer token of artifact downloads and result uploads;
  *  - `HAZE_WORKER_CACHE`: the artifact cache directory shared by workers;
  *  - `HAZE_HEARTBEAT_MS` (default 2000); `HAZE_MASTER_CA` (optional, PEM): the certificates an
  *    `https://` master is verified with; `HAZE_PARENT_PID`: the master, when it is our parent.
  *
  * Life cycle: connect and say `hello` at once (before Spark's slow start), start the
  * SparkSession, say `ready`, then serve `run` / `cancel` / `shutdown` until told to stop. It
  * never outlives its master: it exits when the link closes, when no frame has come for three
  * heartbeat intervals, and when its parent process (the master that spawned spark-submit, whose
  * JVM this is) is gone. Exit codes, as the Python worker's: 0 after `shutdown`, 1 Spark cannot
  * start, 2 bad environment or no link, 3 heartbeats lost, 4 link closed, 70 parent gone. */
final class WorkerMain(val settings: WorkerMain.Settings, client: HttpClient) {
  private val jobs = new ConcurrentHashMap[String, WorkerJob]()
  private val sparkReady = new CountDownLatch(1)
  @volatile private var spark: SparkSession = _
  @volatile private var lastHeard = System.nanoTime()
  private val exiting = new AtomicBoolean(false)

  private val link = new WorkerLink(client, settings.masterUrl, onFrame, how => exit(4, s"the link to the master is $how; exiting"))
  val output = new WorkerOutput(link.send, () => link.waitForRoom())
  val (stdout: PrintStream, stderr: PrintStream) = WorkerOutput.install(output)
  val artifacts = new ArtifactCache(settings.cacheDir, settings.masterUrl, client, settings.credential)

  def run(): Unit = {
    send(LinkFrames.hello(settings.workerId, settings.token, ProcessHandle.current().pid(), WorkerMain.versions))
    daemon("haze-heartbeat") { heartbeats() }
    try {
      val builder = SparkSession.builder()
      // Jobs of a shared worker run side by side: FAIR unless the context says otherwise.
      if (!new SparkConf().contains("spark.scheduler.mode")) builder.config("spark.scheduler.mode", "FAIR")
      spark = builder.getOrCreate()
    } catch {
      case e: Throwable =>
        e.printStackTrace(WorkerOutput.originalErr)
        exit(1, s"cannot start the SparkSession: $e", stopSpark = false)
    }
    WorkerOutput.routeLog4j(output) // now that Spark has configured log4j2
    sparkReady.countDown()
    val sc = spark.sparkContext
    send(LinkFrames.ready(spark.version, sc.applicationId, sc.uiWebUrl))
    new CountDownLatch(1).await() // the other threads decide the exit
  }

  // -- what jobs see ---------------------------------------------------------------------------

  def send(frame: String): Unit = link.send(frame)

  def awaitSpark(): SparkSession = { sparkReady.await(); spark }

  def sparkIfStarted(): Option[SparkSession] = Option(spark)

  def jobDone(job: WorkerJob): Unit = jobs.remove(job.id, job)

  /** An upload of a result over resultLimit to the master (`run.resultUrl`), with the worker's credential. */
  def resultUpload(url: String, format: String): ResultUpload =
    new ResultUpload(client, URI.create(settings.masterUrl).resolve(url), format, settings.credential)

  // -- frames from the master ------------------------------------------------------------------

  private def onFrame(text: String): Unit = {
    lastHeard = System.nanoTime()
    try LinkFrames.parse(text) match {
      case run: LinkFrames.Run =>
        if (!exiting.get) {
          val job = new WorkerJob(run, this)
          if (jobs.putIfAbsent(run.jobId, job) != null) WorkerLink.warn(s"ignoring run: job ${run.jobId} is already running here")
          else job.start()
        }
      case LinkFrames.Cancel(jobId) => Option(jobs.get(jobId)).foreach(_.cancel())
      case LinkFrames.Shutdown => daemon("haze-shutdown") { exit(0) }
      case _: LinkFrames.Heartbeat =>
    } catch {
      case e: LinkFrames.BadFrame => WorkerLink.warn(s"ignoring a frame from the master: ${e.getMessage}")
    }
  }

  // -- liveness --------------------------------------------------------------------------------

  private def heartbeats(): Unit = {
    val interval = settings.heartbeatMs
    while (true) {
      Thread.sleep(interval)
      val silentMs = (System.nanoTime() - lastHeard) / 1000000
      if (silentMs > 3 * interval)
        exit(3, s"no frame from the master for $silentMs ms (heartbeat every $interval ms); exiting")
      send(LinkFrames.heartbeat(System.currentTimeMillis(), jobs.keySet.asScala.toSeq))
    }
  }

  /** Stops Spark (bounded in time) and ends the process; a second caller waits for the first. */
  def exit(code: Int, message: String = "", stopSpark: Boolean = true): Nothing = {
    if (!exiting.compareAndSet(false, true)) { new CountDownLatch(1).await(); throw new IllegalStateException }
    WorkerMain.exitProcess(code, message, () => {
      if (stopSpark && spark != null) {
        val stopper = daemon("haze-spark-stop") { spark.stop() }
        stopper.join(WorkerMain.StopSparkMs)
      }
      link.close(1000)
    })
  }

  private def daemon(name: String)(body: => Unit): Thread = {
    val thread = new Thread(() => body, name)
    thread.setDaemon(true)
    thread.start()
    thread
  }
}

object WorkerMain {
  private val StopSparkMs = 5000L
  private val ParentPollMs = 1000L

  final case class Settings(masterUrl: String, workerId: String, token: String, cacheDir: String, heartbeatMs: Long,
                            masterCa: Option[String], credential: Option[String])

  object Settings {
    def fromEnv(env: Map[String, String]): Settings = {
      val missing = Seq("HAZE_MASTER_URL", "HAZE_WORKER_ID", "HAZE_WORKER_TOKEN").filter(name => env.get(name).forall(_.isEmpty))
      if (missing.nonEmpty) throw new IllegalArgumentException(s"missing environment variables: ${missing.mkString(", ")}")
      val heartbeat = env.getOrElse("HAZE_HEARTBEAT_MS", "2000")
      if (!heartbeat.forall(_.isDigit) || heartbeat.isEmpty || heartbeat.toLong < 1)
        throw new IllegalArgumentException(s"HAZE_HEARTBEAT_MS must be a positive integer, got $heartbeat")
      val cache = env.get("HAZE_WORKER_CACHE").filter(_.nonEmpty)
        .getOrElse(java.nio.file.Paths.get(System.getProperty("java.io.tmpdir"), "haze-worker-cache").toString)
      Settings(env("HAZE_MASTER_URL"), env("HAZE_WORKER_ID"), env("HAZE_WORKER_TOKEN"), cache, heartbeat.toLong,
        env.get("HAZE_MASTER_CA").filter(_.nonEmpty), env.get("HAZE_WORKER_CREDENTIAL").filter(_.nonEmpty))
    }
  }

  def versions: Map[String, String] = Map(
    "java" -> System.getProperty("java.version"),
    "scala" -> scala.util.Properties.versionNumberString,
    "spark" -> org.apache.spark.SPARK_VERSION,
    "worker" -> Option(getClass.getPackage.getImplementationVersion).getOrElse("unknown"),
  )

  def main(args: Array[String]): Unit = {
    exitWithParent()
    val settings = try Settings.fromEnv(sys.env) catch {
      case e: IllegalArgumentException => exitProcess(2, e.getMessage)
    }
    val client = try WorkerLink.client(settings.masterCa) catch {
      case e: Exception => exitProcess(2, s"cannot load HAZE_MASTER_CA ${settings.masterCa.getOrElse("")}: $e")
    }
    val worker = try new WorkerMain(settings, client) catch {
      case e: Exception =>
        val cause = Option(e.getCause).getOrElse(e)
        exitProcess(2, s"cannot connect to the master at ${settings.masterUrl}: $cause")
    }
    worker.run()
  }

  /** The master spawns spark-submit, whose JVM this is: when it is gone (SIGKILLed), so are we.
    * Only when HAZE_PARENT_PID is our parent: a manual runner's worker lives by its link. */
  private def exitWithParent(): Unit = {
    val expected = sys.env.get("HAZE_PARENT_PID").flatMap(_.toLongOption)
    def parent = ProcessHandle.current().parent().map[Long](_.pid()).orElse(-1L)
    expected.filter(_ == parent).foreach { pid =>
      val watcher = new Thread(() => while (true) {
        Thread.sleep(ParentPollMs)
        if (parent != pid) exitProcess(70, s"the master (pid $pid) is gone; exiting")
      }, "haze-parent-watch")
      watcher.setDaemon(true)
      watcher.start()
    }
  }

  /** Says why, runs `before` (bounded by its own deadlines), and exits; shutdown hooks (Spark's
    * temp-dir removal) get a few seconds, then the process halts whatever they do. */
  private def exitProcess(code: Int, message: String, before: () => Unit = () => ()): Nothing = {
    if (message.nonEmpty) {
      WorkerOutput.originalErr.println(s"haze worker: $message")
      WorkerOutput.originalErr.flush()
    }
    try before() catch { case e: Throwable => WorkerOutput.originalErr.println(s"haze worker: while exiting: $e") }
    val halt = new Thread(() => { Thread.sleep(StopSparkMs); Runtime.getRuntime.halt(code) }, "haze-halt")
    halt.setDaemon(true)
    halt.start()
    WorkerOutput.originalOut.flush()
    WorkerOutput.originalErr.flush()
    sys.exit(code)
  }
}
