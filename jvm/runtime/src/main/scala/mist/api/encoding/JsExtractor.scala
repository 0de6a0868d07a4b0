package mist.api.encoding

import mist.api._
import mist.api.data._

/** Reads a value of type A from JSON, and says what JSON it expects (its ArgType). */
trait JsExtractor[A] { self =>
  def `type`: ArgType
  def apply(js: JsData): Extraction[A]

  final def map[B](f: A => B): JsExtractor[B] = JsExtractor(self.`type`)(js => self(js).map(f))
  final def andThen[B](f: A => Extraction[B]): JsExtractor[B] = JsExtractor(self.`type`)(js => self(js).flatMap(f))
  final def transformFailure(f: Failed => Failed): JsExtractor[A] = JsExtractor(self.`type`)(js =>
    self(js) match {
      case failed: Failed => f(failed)
      case ok => ok
    })
}

object JsExtractor {
  def apply[A](argType: ArgType)(f: JsData => Extraction[A]): JsExtractor[A] = new JsExtractor[A] {
    val `type`: ArgType = argType
    def apply(js: JsData): Extraction[A] = f(js)
  }
}

/** An extractor of a whole object: `arg[Req]` reads every argument as the fields of Req. */
trait RootExtractor[A] extends JsExtractor[A] {
  def `type`: MObj
}
object RootExtractor {
  def apply[A](obj: MObj)(f: JsMap => Extraction[A]): RootExtractor[A] = new RootExtractor[A] {
    val `type`: MObj = obj
    def apply(js: JsData): Extraction[A] = js match {
      case m: JsMap => f(m)
      case other => Failed.InvalidType("Object", other.toString)
    }
  }
}

/** Turns a function's result into JSON. */
trait JsEncoder[A] extends Serializable { self =>
  def apply(a: A): JsData
  final def contramap[B](f: B => A): JsEncoder[B] = JsEncoder(b => self(f(b)))
}
object JsEncoder {
  def apply[A](f: A => JsData): JsEncoder[A] = new JsEncoder[A] { def apply(a: A): JsData = f(a) }
}
