package mist.api

import mist.api.data._
import mist.api.encoding.JsEncoder
import scala.util.Try

/** A function ready to run: its arguments' description, their validation, and the call. */
trait RawHandle[A] { self =>
  def invoke(ctx: FnContext): Try[A]
  def describe(): Seq[ArgInfo]
  def validate(params: JsMap): Extraction[Unit]
  def toHandle(enc: JsEncoder[A]): Handle = Handle.fromRaw(self, enc)
}

trait Handle extends RawHandle[JsData]

object Handle {
  def fromRaw[A](low: RawHandle[A], enc: JsEncoder[A]): Handle = new Handle {
    def invoke(ctx: FnContext): Try[JsData] = low.invoke(ctx).map(enc.apply)
    def describe(): Seq[ArgInfo] = low.describe()
    def validate(params: JsMap): Extraction[Unit] = low.validate(params)
  }
}

/** The base of a function in Mist's API: a Scala `object` or a Java class with a no-arg constructor. */
abstract class MistFn {
  def handle: Handle
  final def execute(ctx: FnContext): Try[JsData] = handle.invoke(ctx)
}
