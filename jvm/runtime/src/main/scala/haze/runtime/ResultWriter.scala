package haze.runtime

import com.fasterxml.jackson.core.{JsonFactory, JsonGenerator}
import java.io.{ByteArrayOutputStream, OutputStream}
import mist.api.data._

/** A function's result as JSON text, never whole in memory once it is over `resultLimit`
  * (worker/haze_worker/results.py does the same for Python functions).
  *
  * A result of at most `limit` bytes of UTF-8 goes inline (`Inline`, the `finished` frame's
  * resultJson, as it always has). A bigger one is encoded by Jackson straight into an upload to
  * the master (`open(format)`, ResultUpload) as it is produced: the bytes encoded while it might
  * still fit (at most limit + 1) are sent first, then the rest as it comes. A Dataset's rows are
  * read a partition at a time (RowEncoding.rows) and, once over the limit, stored as JSON lines,
  * one row object per line; any other value as one JSON document. */
object ResultWriter {
  sealed trait Delivered
  final case class Inline(json: String) extends Delivered
  final case class Stored(size: Long, format: String) extends Delivered

  /** A result that cannot be delivered; its message is the job's, as is. */
  final class ResultError(message: String) extends Exception(message)

  /** Where a stored result's bytes go: `close()` ends it and answers the size the master stored. */
  trait Store {
    def stream: OutputStream
    def close(): Long
    def abort(): Unit
  }

  private val factory = new JsonFactory()

  def deliver(value: JsData, limit: Long, open: String => Store): Delivered = value match {
    case rows: JsLazyList if rows.rows => deliverRows(rows, limit, open)
    case _ =>
      val sink = new Sink(limit, () => open("json"))
      try {
        val g = factory.createGenerator(sink)
        JsData.write(g, value)
        g.close() // flushes into the sink; the sink stays open
        sink.finish("json")
      } finally sink.abort()
  }

  /** A Dataset's rows: a JSON array while they fit in `limit`, JSON lines in the store from the
    * row that does not (the rows kept until then included). */
  private def deliverRows(rows: JsLazyList, limit: Long, open: String => Store): Delivered = {
    val items = rows.iterator
    val kept = Vector.newBuilder[Array[Byte]]
    var size = 2L // the brackets
    val buffer = new ByteArrayOutputStream()
    def encode(row: JsData): Array[Byte] = {
      buffer.reset()
      val g = factory.createGenerator(buffer)
      JsData.write(g, row)
      g.close()
      buffer.toByteArray
    }
    while (items.hasNext) {
      val text = encode(items.next())
      kept += text
      size += text.length + 1 // and its comma
      if (size - 1 > limit) {
        val store = open("jsonl")
        var done = false
        try {
          val out = store.stream
          kept.result().foreach { t => out.write(t); out.write('\n') }
          kept.clear()
          while (items.hasNext) {
            buffer.reset()
            val g = factory.createGenerator(buffer)
            JsData.write(g, items.next())
            g.close()
            buffer.write('\n')
            buffer.writeTo(out)
          }
          val stored = store.close()
          done = true
          return Stored(stored, "jsonl")
        } finally if (!done) store.abort()
      }
    }
    val all = kept.result()
    val out = new ByteArrayOutputStream(math.max(2L, size).toInt)
    out.write('[')
    all.zipWithIndex.foreach { case (t, i) => if (i > 0) out.write(','); out.write(t) }
    out.write(']')
    Inline(out.toString(java.nio.charset.StandardCharsets.UTF_8))
  }

  /** Encoded bytes: held (up to limit + 1) while the result may still go inline, passed to the
    * store from the moment it is over the limit. */
  private final class Sink(limit: Long, open: () => Store) extends OutputStream {
    private val held = new ByteArrayOutputStream()
    private var store: Store = _
    private var out: OutputStream = _

    override def write(b: Int): Unit = write(Array(b.toByte), 0, 1)

    override def write(b: Array[Byte], off: Int, len: Int): Unit = {
      if (out != null) out.write(b, off, len)
      else {
        held.write(b, off, len)
        if (held.size > limit) {
          store = open()
          out = store.stream
          held.writeTo(out)
          held.reset()
        }
      }
    }

    override def flush(): Unit = ()
    override def close(): Unit = () // Jackson closes its target; the sink ends in finish()

    def finish(format: String): Delivered =
      if (store == null) Inline(held.toString(java.nio.charset.StandardCharsets.UTF_8))
      else {
        val s = store
        store = null
        Stored(s.close(), format)
      }

    def abort(): Unit = if (store != null) { val s = store; store = null; s.abort() }
  }
}
