package haze.runtime

import haze.runtime.LinkFrames.Run
import mist.api.FullFnContext
import org.apache.spark.SparkContext

/** One job of a JVM worker: a `run` frame carried out in a thread of its own, and its cancel.
  *
  * The thread joins the job's Spark job group (group id = job id, interruptOnCancel), so the
  * Spark jobs it starts, and those of threads it starts, belong to the job; its output is routed
  * to the job (WorkerOutput). It fetches the artifact, runs the function (JobRunner), and reports
  * `finished` or `failed`; a result over `resultLimit` is streamed to `resultUrl` as it is encoded
  * (ResultWriter), so it is never whole in the driver's heap.
  *
  * A cancel stops the job group in Spark (and any job it starts later), ends what the job's
  * FnContext holds (its StreamingContext, which ends an `awaitTermination()`), and interrupts the
  * thread. Code that ignores all three keeps running: the master's grace timer then recycles the
  * worker. A cancelled job always ends as `failed` with `cancelled: true`, whatever it died of. */
final class WorkerJob(run: Run, worker: WorkerMain) {
  val id: String = run.jobId
  @volatile private var cancelRequested = false
  @volatile private var context: FullFnContext = _
  @volatile private var thread: Thread = _
  private var cancellable = true // guarded by this

  def start(): Unit = {
    val t = new Thread(() => body(), s"haze-job-$id")
    t.setDaemon(true)
    thread = t
    t.start()
  }

  /** Asks the job to stop; returns at once. */
  def cancel(): Unit = {
    val first = synchronized {
      val was = cancelRequested
      if (cancellable) cancelRequested = true
      cancellable && !was
    }
    if (first) {
      val canceller = new Thread(() => stop(), s"haze-cancel-$id")
      canceller.setDaemon(true)
      canceller.start()
    }
  }

  private def body(): Unit = {
    WorkerOutput.assign(id)
    worker.output.startJob(id)
    val outcome = try attempt() catch {
      case e: Throwable => JvmFunctions.failed(e)
    } finally {
      synchronized { cancellable = false }
      Thread.interrupted() // a late interrupt is not the next step's business
    }
    worker.output.endJob(id) // its log lines go before its end
    WorkerOutput.assign(null)
    val now = System.currentTimeMillis()
    val frame = outcome match {
      case _ if cancelRequested => LinkFrames.failed(id, now, "job cancelled", None, cancelled = true)
      case JobRunner.Result(json) => LinkFrames.finished(id, now, json)
      case JobRunner.Stored(size, format) => LinkFrames.finishedStored(id, now, size, format)
      case JobRunner.Failure(message, traceback) => LinkFrames.failed(id, now, WorkerJob.clip(message), Some(traceback), cancelled = false)
    }
    worker.send(frame)
    worker.jobDone(this)
  }

  private def attempt(): AnyRef = {
    val spark = worker.awaitSpark()
    val sc = spark.sparkContext
    sc.setJobGroup(id, s"haze job $id", interruptOnCancel = true)
    val path = try worker.artifacts.fetch(run.artifactName, run.sha1, run.url,
        () => worker.send(LinkFrames.downloading(id, System.currentTimeMillis())))
      catch { case e: ArtifactCache.ArtifactError => return JobRunner.Failure(e.getMessage, "") }
    if (run.lang == "python")
      return JobRunner.Failure(s"a Python function was sent to JVM worker ${worker.settings.workerId}; Python functions run on Python workers", "")
    val outcome = Console.withOut(worker.stdout) {
      Console.withErr(worker.stderr) {
        JobRunner.execute(path.toString, run.sha1, run.className, run.argumentsJson, id, worker.settings.workerId,
          run.streamingDuration, ctx => {
            context = ctx
            if (cancelRequested) throw new InterruptedException("job cancelled")
            worker.send(LinkFrames.started(id, System.currentTimeMillis()))
          }, value => ResultWriter.deliver(value, run.resultLimit, format => worker.resultUpload(run.resultUrl, format)))
      }
    }
    outcome
  }

  private def stop(): Unit = {
    worker.sparkIfStarted().foreach { spark =>
      val sc: SparkContext = spark.sparkContext
      try sc.cancelJobGroupAndFutureJobs(id, "cancelled through Haze")
      catch { case e: Throwable => WorkerLink.warn(s"cannot cancel the Spark jobs of $id: $e") }
    }
    Option(context).foreach(ctx => try ctx.end() catch {
      case e: Throwable => WorkerLink.warn(s"cannot stop the context of $id: $e")
    })
    Option(thread).foreach(_.interrupt())
  }
}

object WorkerJob {
  private val MaxMessage = 2000

  def clip(message: String): String = if (message.length <= MaxMessage) message else message.take(MaxMessage) + " …"
}
