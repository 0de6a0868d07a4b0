package haze.runtime

import java.io.FileInputStream
import java.net.URI
import java.net.http.{HttpClient, WebSocket}
import java.security.KeyStore
import java.security.cert.CertificateFactory
import java.time.Duration
import java.util.concurrent.{CompletionStage, LinkedBlockingQueue, TimeUnit}
import javax.net.ssl.{SSLContext, TrustManagerFactory}
import scala.jdk.CollectionConverters._

/** The JVM worker's end of the link: one WebSocket (the JDK's own client) to the master's
  * `/internal/workers/link`. Frames are written by one sender thread from a queue, so job threads,
  * the log flusher and the heartbeat never wait for socket I/O, and the JDK's rule of one
  * outstanding send at a time holds. Incoming text is handed to `onFrame` message by message, in
  * order; `onClosed` is called once, when the connection closes or fails. */
final class WorkerLink(client: HttpClient, masterUrl: String, onFrame: String => Unit, onClosed: String => Unit) {
  private val queue = new LinkedBlockingQueue[String]()
  @volatile private var closed = false
  @volatile private var writing = false
  private var reported = false

  private val listener = new WebSocket.Listener {
    private val parts = new java.lang.StringBuilder
    override def onText(ws: WebSocket, data: CharSequence, last: Boolean): CompletionStage[_] = {
      parts.append(data)
      if (last) {
        val text = parts.toString
        parts.setLength(0)
        try onFrame(text) catch { case e: Throwable => WorkerLink.warn(s"error handling a frame: $e") }
      }
      ws.request(1)
      null
    }
    override def onClose(ws: WebSocket, code: Int, reason: String): CompletionStage[_] = {
      closeWith(s"closed with code $code" + (if (reason.nonEmpty) s": $reason" else ""))
      null
    }
    override def onError(ws: WebSocket, error: Throwable): Unit = closeWith(s"failed: $error")
  }

  private val socket: WebSocket = client.newWebSocketBuilder()
    .connectTimeout(Duration.ofSeconds(10))
    .buildAsync(URI.create(WorkerLink.linkUrl(masterUrl)), listener)
    .get(15, TimeUnit.SECONDS)

  private val sender = new Thread(() => sendLoop(), "haze-link-sender")
  sender.setDaemon(true)
  sender.start()

  /** Queues a frame; never blocks, never throws: a closed link is noticed by its reader. */
  def send(frame: String): Unit = if (!closed) queue.add(frame)

  /** Holds back a thread producing frames in bulk (a job's log lines) while the queue is long. */
  def waitForRoom(): Unit = while (queue.size > WorkerLink.Backlog && !closed) Thread.sleep(10)

  /** Sends what is queued (for up to `timeoutMs`), then closes the connection. */
  def close(timeoutMs: Long): Unit = {
    val deadline = System.nanoTime() + timeoutMs * 1000000
    while ((!queue.isEmpty || writing) && !closed && System.nanoTime() < deadline) Thread.sleep(5)
    synchronized { reported = true }
    closed = true
    try socket.sendClose(WebSocket.NORMAL_CLOSURE, "").get(1, TimeUnit.SECONDS) catch { case _: Throwable => }
    socket.abort()
  }

  /** Reports the end once, unless the worker closed the link itself. */
  private def closeWith(how: String): Unit = {
    val first = synchronized { val was = reported; reported = true; !was }
    closed = true
    if (first) onClosed(how)
  }

  private def sendLoop(): Unit = while (!closed) {
    val frame = queue.poll(200, TimeUnit.MILLISECONDS)
    if (frame != null) {
      writing = true
      try socket.sendText(frame, true).get()
      catch { case e: Throwable => if (!closed) WorkerLink.warn(s"cannot send a frame: ${e.getCause match { case null => e; case c => c }}") }
      finally writing = false
    }
  }
}

object WorkerLink {
  val Path = "/internal/workers/link"
  private val Backlog = 500

  /** `http://host:port[/prefix]` → `ws://host:port[/prefix]/internal/workers/link`. */
  def linkUrl(masterUrl: String): String = {
    val uri = URI.create(masterUrl)
    val scheme = uri.getScheme match {
      case "http" | "ws" => "ws"
      case "https" | "wss" => "wss"
      case _ => throw new IllegalArgumentException(s"HAZE_MASTER_URL must be an http:// or https:// URL, got $masterUrl")
    }
    if (uri.getRawAuthority == null) throw new IllegalArgumentException(s"HAZE_MASTER_URL has no host: $masterUrl")
    val path = Option(uri.getRawPath).getOrElse("").stripSuffix("/")
    s"$scheme://${uri.getRawAuthority}$path$Path"
  }

  /** One client for the link and the artifact downloads, so the two trust the same certificates:
    * `HAZE_MASTER_CA`'s certificates (the master's CA, or its own certificate) if given, else the
    * system's. Host names are verified either way; the master is reached directly, never through
    * a proxy. */
  def client(masterCa: Option[String]): HttpClient = {
    val builder = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10))
      .proxy(HttpClient.Builder.NO_PROXY)
    masterCa.foreach(file => builder.sslContext(trusting(file)))
    builder.build()
  }

  /** An SSL context whose only trust anchors are the certificates of a PEM file. A certificate
    * that is itself trusted (the master's own) is accepted as a chain of one by the JDK. */
  def trusting(pemFile: String): SSLContext = {
    val in = new FileInputStream(pemFile)
    val certificates = try CertificateFactory.getInstance("X.509").generateCertificates(in).asScala.toSeq finally in.close()
    if (certificates.isEmpty) throw new IllegalArgumentException(s"$pemFile holds no certificate")
    val store = KeyStore.getInstance(KeyStore.getDefaultType)
    store.load(null, null)
    certificates.zipWithIndex.foreach { case (certificate, i) => store.setCertificateEntry(s"haze-master-$i", certificate) }
    val trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm)
    trust.init(store)
    val context = SSLContext.getInstance("TLS")
    context.init(null, trust.getTrustManagers, null)
    context
  }

  private[runtime] def warn(message: String): Unit = {
    WorkerOutput.originalErr.println(s"haze worker: $message")
    WorkerOutput.originalErr.flush()
  }
}
