package haze.api.internal

import mist.api._
import mist.api.data._
import mist.api.encoding.{JsExtractor, RootExtractor}
import mist.api.encoding.defaults._
import java.lang.reflect.{ParameterizedType, Type => JType}
import scala.jdk.CollectionConverters._
import scala.reflect.ClassTag
import scala.reflect.runtime.{universe => ru}

/** A declared type Haze cannot read from JSON; the message names it and says what can be. */
final class UnsupportedType(message: String) extends Exception(message)

/**
 * Reads values of a declared Java or Scala type from JSON, with the type's description in
 * Mist's encoding (MInt, MList …): what a parameter of a typed function (haze.api) or a field of
 * a case class (mist.api.encoding.generic) takes. One mapping for both, so they read alike.
 */
object Readers {
  val supported = "int, long, short, double, float, String, boolean, lists, maps with String keys, optional values"

  private def any[A](ext: JsExtractor[A]): JsExtractor[Any] = ext.map(a => a: Any)

  private val decimalExt: JsExtractor[Any] = JsExtractor(MDouble) {
    case JsNumber(n) => Extracted(n)
    case other => Failed.InvalidType("BigDecimal", other.toString)
  }

  /** A Java type, from a method's generic parameter types. */
  def ofJava(t: JType): JsExtractor[Any] = t match {
    case c: Class[_] => javaClass(c)
    case p: ParameterizedType =>
      val raw = p.getRawType.asInstanceOf[Class[_]]
      val args = p.getActualTypeArguments
      if (raw == classOf[java.util.Optional[_]]) {
        val inner = ofJava(args(0))
        JsExtractor(MOption(inner.`type`)) {
          case JsNull => Extracted(java.util.Optional.empty[Any]())
          case js => inner(js).map(v => java.util.Optional.of(v))
        }
      } else if (raw == classOf[java.util.List[_]] || raw == classOf[java.util.Collection[_]] || raw == classOf[java.lang.Iterable[_]]) {
        any(seqExt(ofJava(args(0))).map(s => new java.util.ArrayList[Any](s.asJava)))
      } else if (raw == classOf[java.util.Map[_, _]]) {
        if (args(0) != classOf[String]) throw new UnsupportedType(s"$t: a map's keys must be String (JSON object keys)")
        any(mapExt(ofJava(args(1))).map(m => new java.util.LinkedHashMap[String, Any](m.asJava)))
      } else throw unsupported(t.getTypeName)
    case other => throw unsupported(other.getTypeName)
  }

  private def javaClass(c: Class[_]): JsExtractor[Any] =
    if (c == Integer.TYPE || c == classOf[java.lang.Integer]) any(intExt)
    else if (c == java.lang.Long.TYPE || c == classOf[java.lang.Long]) any(longExt)
    else if (c == java.lang.Short.TYPE || c == classOf[java.lang.Short]) any(shortExt)
    else if (c == java.lang.Double.TYPE || c == classOf[java.lang.Double]) any(doubleExt)
    else if (c == java.lang.Float.TYPE || c == classOf[java.lang.Float]) any(floatExt)
    else if (c == java.lang.Boolean.TYPE || c == classOf[java.lang.Boolean]) any(booleanExt)
    else if (c == classOf[String]) any(stringExt)
    else if (c == classOf[java.math.BigDecimal]) decimalExt.map(d => d.asInstanceOf[BigDecimal].bigDecimal)
    else if (classOf[JsData].isAssignableFrom(c)) any(jsDataExt)
    else if (c.isArray) {
      val item = ofJava(c.getComponentType)
      any(seqExt(item).map { values =>
        val array = java.lang.reflect.Array.newInstance(c.getComponentType, values.size)
        values.zipWithIndex.foreach { case (v, i) => java.lang.reflect.Array.set(array, i, v) }
        array
      })
    } else if (c.isRecord) record(c)
    else if (c == classOf[java.util.List[_]] || c == classOf[java.util.Map[_, _]] || c == classOf[java.util.Optional[_]])
      throw new UnsupportedType(s"${c.getName} without its type arguments: declare what it holds, e.g. List<Integer>")
    else throw unsupported(c.getName)

  /** A Java record: a JSON object of its components, built with its canonical constructor. */
  private def record(c: Class[_]): JsExtractor[Any] = {
    val components = c.getRecordComponents.toSeq
    val fields = components.map(rc => rc.getName -> ofJava(rc.getGenericType))
    val constructor = c.getDeclaredConstructor(components.map(_.getType): _*)
    constructor.setAccessible(true)
    objectOf(c.getName, fields.map { case (n, e) => (n, e, None) }, values => constructor.newInstance(values.map(_.asInstanceOf[AnyRef]): _*))
  }

  /** A Scala type, from scala-reflect (Java's view of `Seq[Int]` has lost the Int). */
  def ofScala(t: ru.Type, mirror: ru.Mirror): JsExtractor[Any] = {
    val tpe = t.dealias
    val sym = tpe.typeSymbol
    def arg(i: Int): JsExtractor[Any] = ofScala(tpe.typeArgs(i), mirror)
    sym.fullName match {
      case "scala.Int" => any(intExt)
      case "scala.Long" => any(longExt)
      case "scala.Short" => any(shortExt)
      case "scala.Double" => any(doubleExt)
      case "scala.Float" => any(floatExt)
      case "scala.Boolean" => any(booleanExt)
      case "java.lang.String" => any(stringExt)
      case "scala.math.BigDecimal" => decimalExt
      case name if name.startsWith("mist.api.data.Js") => any(jsDataExt)
      case "scala.Option" => any(optExt(arg(0)))
      case "scala.collection.immutable.Seq" | "scala.collection.Seq" | "scala.collection.immutable.List" |
           "scala.collection.immutable.Iterable" | "scala.collection.Iterable" => any(seqExt(arg(0)).map(_.toList))
      case "scala.collection.immutable.Vector" | "scala.collection.immutable.IndexedSeq" | "scala.collection.IndexedSeq" =>
        any(seqExt(arg(0)).map(_.toVector))
      case "scala.Array" =>
        val tag = ClassTag[Any](mirror.runtimeClass(tpe.typeArgs.head.erasure))
        any(seqExt(arg(0)).map(_.toArray(tag)))
      case "scala.collection.immutable.Map" | "scala.collection.Map" =>
        if (tpe.typeArgs.head.dealias.typeSymbol.fullName != "java.lang.String")
          throw new UnsupportedType(s"$t: a map's keys must be String (JSON object keys)")
        any(mapExt(arg(1)))
      case _ if sym.isClass && sym.asClass.isCaseClass => caseClass(tpe, mirror, withDefaults = true)
      case _ => throw unsupported(t.toString)
    }
  }

  /**
   * A case class: a JSON object of its constructor's fields, each read by its type. With
   * `withDefaults`, a field left out takes the constructor's default, and is described as MOption
   * so that the master does not require it.
   */
  def caseClass(tpe: ru.Type, mirror: ru.Mirror, withDefaults: Boolean): RootExtractor[Any] = {
    val cls = tpe.typeSymbol.asClass
    val params = cls.primaryConstructor.asMethod.paramLists.headOption.getOrElse(Nil)
    val runtime = mirror.runtimeClass(cls)
    val companion = if (withDefaults && cls.companion != ru.NoSymbol) Some(mirror.reflectModule(cls.companion.asModule).instance) else None
    val fields = params.zipWithIndex.map { case (p, i) =>
      val default = companion.flatMap { module =>
        module.getClass.getMethods.find(_.getName == "$lessinit$greater$default$" + (i + 1)).map(m => m.invoke(module): Any)
      }
      (p.name.decodedName.toString, ofScala(p.typeSignature.asSeenFrom(tpe, cls), mirror), default)
    }
    val constructor = runtime.getConstructors.find(_.getParameterCount == params.size).getOrElse(
      throw new UnsupportedType(s"${cls.fullName} has no public constructor of its ${params.size} fields (is it an inner class?)"))
    objectOf(cls.fullName, fields, values => constructor.newInstance(values.map(_.asInstanceOf[AnyRef]): _*))
  }

  private def objectOf(name: String, fields: Seq[(String, JsExtractor[Any], Option[Any])], make: Seq[Any] => Any): RootExtractor[Any] = {
    val described = MObj(fields.map { case (n, e, d) => n -> (if (d.isDefined) MOption(e.`type`) else e.`type`) })
    RootExtractor[Any](described) { m =>
      val read = fields.map { case (n, e, d) =>
        (m.fieldValue(n), d) match {
          case (JsNull, Some(value)) => Extracted(value)
          case (js, _) => e.transformFailure(f => Failed.InvalidField(n, f))(js)
        }
      }
      all(read) match {
        case Extracted(values) => Extraction.tryExtract(make(values))(e => Failed.InvalidValue(s"$name: ${Option(e.getCause).getOrElse(e)}"))
        case failed: Failed => Failed.IncompleteObject(name, failed)
      }
    }
  }

  /** Every value, or every failure joined. */
  def all(extractions: Seq[Extraction[Any]]): Extraction[Seq[Any]] = {
    val failures = extractions.collect { case f: Failed => f }
    if (failures.isEmpty) Extracted(extractions.collect { case Extracted(v) => v })
    else failures.reduce[Failed](Failed.toComplex)
  }

  private def unsupported(name: String) = new UnsupportedType(s"$name cannot be read from JSON; Haze reads $supported")
}
