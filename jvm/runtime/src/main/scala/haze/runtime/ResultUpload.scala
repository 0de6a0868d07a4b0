package haze.runtime

import java.io.{IOException, InputStream, OutputStream}
import java.net.URI
import java.net.http.{HttpClient, HttpRequest, HttpResponse}
import java.util.concurrent.{ArrayBlockingQueue, CompletableFuture, TimeUnit}

/** A result over `resultLimit`, streamed to the master as it is encoded (ResultWriter): one PUT
  * to the run frame's `resultUrl` with the worker's credential, its body sent by the JDK's client
  * with chunked transfer encoding (its length is not known in advance), so neither side holds
  * the result whole (worker/haze_worker/result_upload.py is the Python worker's). The body
  * travels through a bounded pipe: `stream` hands the client chunks of 64 KiB, at most 16 of
  * them waiting, so the job's thread waits for the network rather than filling the heap. The
  * master answers `{"size"}` once the file is in place, which must be what was sent. */
final class ResultUpload(client: HttpClient, url: URI, format: String, credential: Option[String]) extends ResultWriter.Store {
  import ResultUpload._

  private val queue = new ArrayBlockingQueue[Array[Byte]](Pending)
  @volatile private var failure: IOException = _
  private var sent = 0L

  private val response: CompletableFuture[HttpResponse[String]] = {
    // No request timeout: the body lasts as long as the result takes to produce; close() bounds the answer.
    val request = HttpRequest.newBuilder(url)
      .header("Content-Type", MediaTypes(format))
      .PUT(HttpRequest.BodyPublishers.ofInputStream(() => body))
    credential.foreach(c => request.header("Authorization", s"Bearer $c"))
    client.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString())
  }

  /** What the client reads: the chunks, until the empty one that ends the body. */
  private object body extends InputStream {
    private var chunk: Array[Byte] = Array.emptyByteArray
    private var at = 0
    private var ended = false
    override def read(): Int = {
      val one = new Array[Byte](1)
      if (read(one, 0, 1) < 0) -1 else one(0) & 0xff
    }
    override def read(b: Array[Byte], off: Int, len: Int): Int = {
      if (len == 0) return 0
      while (!ended && at >= chunk.length) {
        val next = queue.poll(1, TimeUnit.SECONDS)
        if (failure != null) throw failure
        if (next eq End) ended = true
        else if (next != null) { chunk = next; at = 0 }
      }
      if (ended) return -1
      val n = math.min(len, chunk.length - at)
      System.arraycopy(chunk, at, b, off, n)
      at += n
      n
    }
  }

  /** The job's end: chunks of the body, handed over as each fills. */
  val stream: OutputStream = new OutputStream {
    private val buffer = new Array[Byte](ChunkSize)
    private var filled = 0
    override def write(b: Int): Unit = {
      if (filled == buffer.length) hand()
      buffer(filled) = b.toByte
      filled += 1
    }
    override def write(b: Array[Byte], off: Int, len: Int): Unit = {
      var from = off
      var left = len
      while (left > 0) {
        if (filled == buffer.length) hand()
        val n = math.min(left, buffer.length - filled)
        System.arraycopy(b, from, buffer, filled, n)
        filled += n
        from += n
        left -= n
      }
    }
    override def flush(): Unit = if (filled > 0) hand()
    def hand(): Unit = {
      put(java.util.Arrays.copyOf(buffer, filled))
      sent += filled
      filled = 0
    }
  }

  /** Waits for room in the pipe; the master may have answered (refused) meanwhile. */
  private def put(chunk: Array[Byte]): Unit =
    while (!queue.offer(chunk, 200, TimeUnit.MILLISECONDS)) {
      if (response.isDone) throw refusal()
    }

  def close(): Long = {
    stream.flush()
    put(End)
    val answer = try response.get(10, TimeUnit.MINUTES) catch {
      case e: java.util.concurrent.ExecutionException =>
        throw new ResultWriter.ResultError(s"cannot store the result: no answer from the master at $url after $sent bytes: ${e.getCause}")
      case _: java.util.concurrent.TimeoutException =>
        response.cancel(true)
        throw new ResultWriter.ResultError(s"cannot store the result: no answer from the master at $url after $sent bytes")
    }
    if (answer.statusCode != 200)
      throw new ResultWriter.ResultError(s"the master did not store the result ($sent bytes sent): HTTP ${answer.statusCode}: ${detail(answer.body)}")
    val size = try mapper.readTree(answer.body).path("size").asLong(-1) catch { case _: Exception => -1L }
    if (size != sent)
      throw new ResultWriter.ResultError(s"the master stored $size bytes of the result, but $sent were sent")
    size
  }

  def abort(): Unit = {
    failure = new IOException("the result upload was abandoned")
    queue.clear()
    response.cancel(true)
  }

  /** The master's answer, if it gave one before the body was over (its disk refused the file). */
  private def refusal(): ResultWriter.ResultError = {
    val reason = try {
      val answer = response.getNow(null)
      if (answer == null) "no answer" else s"HTTP ${answer.statusCode}: ${detail(answer.body)}"
    } catch { case e: Exception => String.valueOf(e.getCause match { case null => e; case c => c }) }
    new ResultWriter.ResultError(s"the master did not store the result ($sent bytes sent): $reason")
  }

  private def detail(body: String): String = {
    val parsed = try Option(mapper.readTree(body)) catch { case _: Exception => None }
    parsed.flatMap(n => Option(n.get("detail"))).map(_.asText).getOrElse(body).take(500)
  }
}

object ResultUpload {
  private val ChunkSize = 64 * 1024
  private val Pending = 16
  private val End = new Array[Byte](0)
  private val MediaTypes = Map("json" -> "application/json", "jsonl" -> "application/x-ndjson")
  private val mapper = new com.fasterxml.jackson.databind.ObjectMapper()
}
