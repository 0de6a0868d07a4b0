package mist.api.encoding

import mist.api._
import mist.api.data._
import org.apache.spark.sql.{DataFrame, Dataset, Row}
import scala.jdk.CollectionConverters._
import scala.reflect.ClassTag

/** `import mist.api.encoding.defaults._`: how to read and write the common types. */
trait DefaultExtractorInstances {
  private def gotName(js: JsData): String = js match {
    case JsNull => "null"
    case _ => js.toString
  }

  implicit val intExt: JsExtractor[Int] = JsExtractor(MInt) {
    case JsNumber(n) if n.isValidInt => Extracted(n.toInt)
    case other => Failed.InvalidType("Int", gotName(other))
  }
  implicit val longExt: JsExtractor[Long] = JsExtractor(MInt) {
    case JsNumber(n) if n.isValidLong => Extracted(n.toLong)
    case other => Failed.InvalidType("Long", gotName(other))
  }
  implicit val shortExt: JsExtractor[Short] = JsExtractor(MInt) {
    case JsNumber(n) if n.isValidShort => Extracted(n.toShort)
    case other => Failed.InvalidType("Short", gotName(other))
  }
  implicit val doubleExt: JsExtractor[Double] = JsExtractor(MDouble) {
    case JsNumber(n) => Extracted(n.toDouble)
    case other => Failed.InvalidType("Double", gotName(other))
  }
  implicit val floatExt: JsExtractor[Float] = JsExtractor(MDouble) {
    case JsNumber(n) => Extracted(n.toFloat)
    case other => Failed.InvalidType("Float", gotName(other))
  }
  implicit val stringExt: JsExtractor[String] = JsExtractor(MString) {
    case JsString(s) => Extracted(s)
    case other => Failed.InvalidType("String", gotName(other))
  }
  implicit val booleanExt: JsExtractor[Boolean] = JsExtractor(MBoolean) {
    case b: JsBoolean => Extracted(b.b)
    case other => Failed.InvalidType("Boolean", gotName(other))
  }
  implicit val jsDataExt: JsExtractor[JsData] = JsExtractor(MAny)(js => Extracted(js))

  // Java's boxed types, for the Java DSL.
  implicit val jIntExt: JsExtractor[java.lang.Integer] = intExt.map(i => java.lang.Integer.valueOf(i))
  implicit val jDoubleExt: JsExtractor[java.lang.Double] = doubleExt.map(d => java.lang.Double.valueOf(d))
  implicit val jBooleanExt: JsExtractor[java.lang.Boolean] = booleanExt.map(b => java.lang.Boolean.valueOf(b))

  implicit def optExt[A](implicit ext: JsExtractor[A]): JsExtractor[Option[A]] = JsExtractor(MOption(ext.`type`)) {
    case JsNull => Extracted(None)
    case js => ext(js).map(Some(_))
  }

  private def items[A](js: JsData, ext: JsExtractor[A]): Extraction[Seq[A]] = js match {
    case JsList(values) =>
      values.zipWithIndex.foldLeft[Extraction[Vector[A]]](Extracted(Vector.empty)) { case (acc, (value, i)) =>
        (acc, ext(value)) match {
          case (Extracted(done), Extracted(a)) => Extracted(done :+ a)
          case (failed: Failed, _) => failed
          case (_, failed: Failed) => Failed.InvalidField(i.toString, failed)
        }
      }
    case other => Failed.InvalidType(s"List[${ext.`type`}]", gotName(other))
  }
  implicit def seqExt[A](implicit ext: JsExtractor[A]): JsExtractor[Seq[A]] = JsExtractor(MList(ext.`type`))(items(_, ext))
  implicit def listExt[A](implicit ext: JsExtractor[A]): JsExtractor[List[A]] = seqExt(ext).map(_.toList)
  implicit def arrExt[A: ClassTag](implicit ext: JsExtractor[A]): JsExtractor[Array[A]] = seqExt(ext).map(_.toArray)
  implicit def mapExt[A](implicit ext: JsExtractor[A]): JsExtractor[Map[String, A]] = JsExtractor(MMap(MString, ext.`type`)) {
    case m: JsMap =>
      m.map.foldLeft[Extraction[Map[String, A]]](Extracted(Map.empty)) { case (acc, (k, v)) =>
        (acc, ext(v)) match {
          case (Extracted(done), Extracted(a)) => Extracted(done + (k -> a))
          case (failed: Failed, _) => failed
          case (_, failed: Failed) => Failed.InvalidField(k, failed)
        }
      }
    case other => Failed.InvalidType(s"Map[String, ${ext.`type`}]", gotName(other))
  }
}

trait DefaultEncoderInstances {
  implicit val unitEnc: JsEncoder[Unit] = JsEncoder(_ => JsMap.empty)
  implicit val intEnc: JsEncoder[Int] = JsEncoder(i => JsNumber(i))
  implicit val longEnc: JsEncoder[Long] = JsEncoder(l => JsNumber(l))
  implicit val shortEnc: JsEncoder[Short] = JsEncoder(s => JsNumber(s.toInt))
  implicit val floatEnc: JsEncoder[Float] = JsEncoder(f => JsNumber(f.toDouble))
  implicit val doubleEnc: JsEncoder[Double] = JsEncoder(d => JsNumber(d))
  implicit val bigDecimalEnc: JsEncoder[BigDecimal] = JsEncoder(d => JsNumber(d))
  implicit val stringEnc: JsEncoder[String] = JsEncoder(s => JsString(s))
  implicit val booleanEnc: JsEncoder[Boolean] = JsEncoder(b => JsBoolean(b))
  implicit def identity[A <: JsData]: JsEncoder[A] = JsEncoder(a => a)

  implicit def optEnc[A](implicit enc: JsEncoder[A]): JsEncoder[Option[A]] = JsEncoder {
    case Some(a) => enc(a)
    case None => JsNull
  }
  implicit def seqEnc[A](implicit enc: JsEncoder[A]): JsEncoder[Seq[A]] = JsEncoder(s => JsList(s.map(enc(_))))
  implicit def listEnc[A](implicit enc: JsEncoder[A]): JsEncoder[List[A]] = JsEncoder(s => JsList(s.map(enc(_))))
  /** Encoded as the result is written, item by item: a big result can be produced lazily. */
  implicit def iteratorEnc[A](implicit enc: JsEncoder[A]): JsEncoder[Iterator[A]] =
    JsEncoder(it => new JsLazyList(() => it.map(enc(_)), rows = false))
  implicit def arrEnc[A](implicit enc: JsEncoder[A]): JsEncoder[Array[A]] = JsEncoder(a => JsList(a.toSeq.map(enc(_))))
  implicit def mapEnc[A](implicit enc: JsEncoder[A]): JsEncoder[Map[String, A]] =
    JsEncoder(m => JsMap(m.toSeq.map { case (k, v) => k -> enc(v) }: _*))
}

/** `import mist.api.encoding.spark._`, as in Mist: a DataFrame or Dataset becomes a list of row objects. */
trait SparkEncoderInstances {
  implicit val dataFrameEncoder: JsEncoder[DataFrame] = JsEncoder(df => RowEncoding.rows(df))
  // Any Dataset type: Spark 4's SQL methods return its subclass classic.Dataset, and JsEncoder is invariant.
  implicit def datasetEncoder[D <: Dataset[_]]: JsEncoder[D] = JsEncoder(ds => dataFrameEncoder(ds.toDF()))
}

/** Spark rows and the values in them, as JSON. */
object RowEncoding {
  def row(r: Row): JsData = {
    val names = Option(r.schema).map(_.fieldNames.toSeq).getOrElse((0 until r.length).map(i => s"_${i + 1}"))
    JsMap(names.zipWithIndex.map { case (name, i) => name -> value(r.get(i)) }: _*)
  }

  /** A DataFrame's rows, read when the result is written: one partition at a time, each by a
    * Spark job of its own (started by the job's thread, so in its job group, and a cancel stops
    * it), so the driver holds one partition, never the whole DataFrame. Not `toLocalIterator`,
    * which keeps one SQL execution open around all its jobs (on Spark 4.3 that ran a 1g driver
    * out of heap on a 1 GB DataFrame, see worker/haze_worker/results.py). */
  def rows(df: DataFrame): JsLazyList = new JsLazyList(() => {
    val rdd = df.rdd
    val names = df.schema.fieldNames.toSeq
    val sc = rdd.sparkContext
    Iterator.range(0, rdd.getNumPartitions).flatMap { index =>
      sc.runJob(rdd, (it: Iterator[Row]) => it.toArray, Seq(index)).head.iterator
    }.map(r => if (r.schema != null) row(r) else JsMap(names.zipWithIndex.map { case (name, i) => name -> value(r.get(i)) }: _*))
  }, rows = true)

  def value(v: Any): JsData = v match {
    case null => JsNull
    case _: scala.runtime.BoxedUnit => JsNull
    case js: JsData => js
    case r: Row => row(r)
    case s: String => JsString(s)
    case b: Boolean => JsBoolean(b)
    case i: Int => JsNumber(i)
    case l: Long => JsNumber(l)
    case s: Short => JsNumber(s.toInt)
    case b: Byte => JsNumber(b.toInt)
    case d: Double => if (d.isNaN || d.isInfinite) JsString(d.toString) else JsNumber(d)
    case f: Float => if (f.isNaN || f.isInfinite) JsString(f.toString) else JsNumber(f.toDouble)
    case d: BigDecimal => JsNumber(d)
    case d: java.math.BigDecimal => JsNumber(BigDecimal(d))
    case i: java.math.BigInteger => JsNumber(BigDecimal(i))
    case n: java.lang.Number => JsNumber(BigDecimal(n.toString))
    case o: Option[_] => o.map(value).getOrElse(JsNull)
    case o: java.util.Optional[_] => if (o.isPresent) value(o.get) else JsNull
    case m: scala.collection.Map[_, _] => JsMap(m.toSeq.map { case (k, x) => k.toString -> value(x) }: _*)
    case m: java.util.Map[_, _] => JsMap(m.asScala.toSeq.map { case (k, x) => k.toString -> value(x) }: _*)
    case a: Array[_] => JsList(a.toSeq.map(value))
    case s: scala.collection.Iterable[_] => JsList(s.toSeq.map(value))
    case s: java.lang.Iterable[_] => JsList(s.asScala.toSeq.map(value))
    case ds: Dataset[_] => rows(ds.toDF())
    case it: Iterator[_] => new JsLazyList(() => it.map(value), rows = false)
    case it: java.util.Iterator[_] => new JsLazyList(() => it.asScala.map(value), rows = false)
    case r: java.lang.Record =>
      JsMap(r.getClass.getRecordComponents.toSeq.map(c => c.getName -> value(c.getAccessor.invoke(r))): _*)
    case p: Product => JsMap(p.productElementNames.toSeq.zip(p.productIterator.toSeq).map { case (k, x) => k -> value(x) }: _*)
    case other => JsString(other.toString)
  }
}

object defaults extends DefaultExtractorInstances with DefaultEncoderInstances
