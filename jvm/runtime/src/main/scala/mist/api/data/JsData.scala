package mist.api.data

import com.fasterxml.jackson.core.{JsonFactory, JsonGenerator, JsonParser, JsonToken}
import java.io.StringWriter

/** A JSON value, as Mist's functions take arguments and give results. Numbers keep their exact
  * text (BigDecimal), so big integers stay integers. */
sealed trait JsData extends Serializable {
  final def toJson: String = JsData.print(this)
}

final case class JsNumber(v: BigDecimal) extends JsData
object JsNumber {
  def apply(i: Int): JsNumber = JsNumber(BigDecimal(i))
  def apply(l: Long): JsNumber = JsNumber(BigDecimal(l))
  def apply(d: Double): JsNumber = JsNumber(BigDecimal(d))
  def apply(n: java.lang.Number): JsNumber = JsNumber(BigDecimal(n.toString))
}
final case class JsString(value: String) extends JsData
sealed abstract class JsBoolean(val b: Boolean) extends JsData
case object JsTrue extends JsBoolean(true)
case object JsFalse extends JsBoolean(false)
object JsBoolean {
  def apply(b: Boolean): JsBoolean = if (b) JsTrue else JsFalse
  def unapply(b: JsBoolean): Option[Boolean] = Some(b.b)
}
case object JsNull extends JsData
final case class JsList(list: Seq[JsData]) extends JsData
final case class JsMap(map: Map[String, JsData]) extends JsData {
  /** The value of a field, JsNull when absent (Mist treats the two alike). */
  def fieldValue(name: String): JsData = map.getOrElse(name, JsNull)
  def fields: Seq[(String, JsData)] = map.toSeq
}
/** A list read once, as it is written: a Dataset's rows (`rows`, read a partition at a time) or
  * the items of an Iterator a function returned. A result made of one is encoded as it is
  * produced (haze.runtime.ResultWriter) and never held whole; `toJson` reads it too. */
final class JsLazyList(open: () => Iterator[JsData], val rows: Boolean) extends JsData {
  private var opened = false
  def iterator: Iterator[JsData] = synchronized {
    if (opened) throw new IllegalStateException("a lazily produced result list can be read once")
    opened = true
    open()
  }
  override def toString: String = if (rows) "JsLazyList(rows)" else "JsLazyList"
}

object JsMap {
  val empty: JsMap = JsMap(Map.empty[String, JsData])
  def apply(fields: (String, JsData)*): JsMap = new JsMap(scala.collection.immutable.ListMap(fields: _*))
}

object JsData {
  private val factory = new JsonFactory()

  def parse(text: String): JsData = {
    val parser = factory.createParser(text)
    try {
      parser.nextToken()
      val value = read(parser)
      if (parser.nextToken() != null) throw new IllegalArgumentException("trailing text after the JSON value")
      value
    } finally parser.close()
  }

  private def read(p: JsonParser): JsData = p.currentToken() match {
    case JsonToken.START_OBJECT =>
      val fields = Seq.newBuilder[(String, JsData)]
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        val name = p.currentName()
        p.nextToken()
        fields += name -> read(p)
      }
      JsMap(fields.result(): _*)
    case JsonToken.START_ARRAY =>
      val items = Seq.newBuilder[JsData]
      while (p.nextToken() != JsonToken.END_ARRAY) items += read(p)
      JsList(items.result())
    case JsonToken.VALUE_STRING => JsString(p.getText)
    case JsonToken.VALUE_NUMBER_INT | JsonToken.VALUE_NUMBER_FLOAT => JsNumber(BigDecimal(p.getText))
    case JsonToken.VALUE_TRUE => JsTrue
    case JsonToken.VALUE_FALSE => JsFalse
    case JsonToken.VALUE_NULL => JsNull
    case other => throw new IllegalArgumentException(s"unexpected JSON token $other")
  }

  def print(value: JsData): String = {
    val out = new StringWriter()
    val g = factory.createGenerator(out)
    try write(g, value) finally g.close()
    out.toString
  }

  /** Writes `value` to `g` as it goes (a JsLazyList item by item). */
  def write(g: JsonGenerator, value: JsData): Unit = value match {
    case JsNumber(v) =>
      // Non-finite doubles cannot be JSON; integers print without a fraction.
      if (v.isWhole && v.scale <= 0) g.writeNumber(v.bigDecimal.toBigInteger)
      else g.writeNumber(v.bigDecimal.stripTrailingZeros().toPlainString)
    case JsString(s) => g.writeString(s)
    case b: JsBoolean => g.writeBoolean(b.b)
    case JsNull => g.writeNull()
    case JsList(items) => g.writeStartArray(); items.foreach(write(g, _)); g.writeEndArray()
    case lazyList: JsLazyList => g.writeStartArray(); lazyList.iterator.foreach(write(g, _)); g.writeEndArray()
    case m: JsMap => g.writeStartObject(); m.map.foreach { case (k, v) => g.writeFieldName(k); write(g, v) }; g.writeEndObject()
  }
}
