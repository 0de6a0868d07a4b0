package mist.api.encoding

import haze.api.internal.Readers
import mist.api.data.JsData
import scala.reflect.runtime.universe.TypeTag

/**
 * Mist's case-class encoders: `generic.extractor[Req]` reads every argument as a field of `Req`
 * (for `arg[Req]`), `generic.encoder[Resp]` writes a result as an object of its fields. Mist
 * derived them with shapeless at compile time; Haze reads the case class from its TypeTag when
 * the encoder is made (once, when the function object is created), with the same readers as
 * Haze's typed API: fields of the types `mist.api.encoding.defaults` reads, nested case classes,
 * Seq, List, Vector, Array, Map[String, _] and Option. A field of another type fails at that
 * moment, naming the field: the deploy is refused with that message.
 */
object generic {
  def extractor[A](implicit tag: TypeTag[A]): RootExtractor[A] = root(tag, withDefaults = false)

  /** As `extractor`, and a field left out takes the case class's default. */
  def extractorWithDefaults[A](implicit tag: TypeTag[A]): RootExtractor[A] = root(tag, withDefaults = true)

  /** Fields by name, values as Haze writes results (a nested case class becomes an object). */
  def encoder[A](implicit tag: TypeTag[A]): JsEncoder[A] = JsEncoder((a: A) => RowEncoding.value(a): JsData)

  private def root[A](tag: TypeTag[A], withDefaults: Boolean): RootExtractor[A] = {
    // The tag's mirror sees the class loader of the function's own jar.
    Readers.caseClass(tag.tpe, tag.mirror, withDefaults).asInstanceOf[RootExtractor[A]]
  }
}
