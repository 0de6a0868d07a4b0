package mist.api

import mist.api.data._

/** An argument's type, in Mist's encoding (`execute` of a function's info). */
sealed trait ArgType {
  def toJs: JsData
}
sealed abstract class PrimitiveArgType(name: String) extends ArgType {
  def toJs: JsData = JsMap("type" -> JsString(name))
  override def toString: String = name.drop(1)
}
case object MInt extends PrimitiveArgType("MInt")
case object MDouble extends PrimitiveArgType("MDouble")
case object MString extends PrimitiveArgType("MString")
case object MBoolean extends PrimitiveArgType("MBoolean")
case object MAny extends PrimitiveArgType("MAny")
final case class MList(v: ArgType) extends ArgType {
  def toJs: JsData = JsMap("type" -> JsString("MList"), "args" -> JsList(Seq(v.toJs)))
  override def toString: String = s"List[$v]"
}
final case class MOption(v: ArgType) extends ArgType {
  def toJs: JsData = JsMap("type" -> JsString("MOption"), "args" -> JsList(Seq(v.toJs)))
  override def toString: String = s"Option[$v]"
}
final case class MMap(k: ArgType, v: ArgType) extends ArgType {
  def toJs: JsData = JsMap("type" -> JsString("MMap"), "args" -> JsList(Seq(k.toJs, v.toJs)))
  override def toString: String = s"Map[$k, $v]"
}
final case class MObj(fields: Seq[(String, ArgType)]) extends ArgType {
  def toJs: JsData = JsMap("type" -> JsString("MObj"), "fields" -> JsMap(fields.map { case (k, t) => k -> t.toJs }: _*))
  override def toString: String = fields.map { case (k, t) => s"$k: $t" }.mkString("Object{", ", ", "}")
}

/** What a function declares: a user's argument, or the Spark objects it asks for (as tags). */
sealed trait ArgInfo
final case class UserInputArgument(name: String, t: ArgType) extends ArgInfo
final case class InternalArgument(tags: Seq[String] = Seq.empty) extends ArgInfo
/** Haze's addition: an argument with a `validated` rule, which only the function's own code can check. */
final case class ArgRule(name: String) extends ArgInfo
/** Haze's addition: the default of an argument (Mist shows it only as MOption). */
final case class ArgDefault(name: String, value: data.JsData) extends ArgInfo

object ArgInfo {
  val SqlContextTag = "sql"
  val HiveContextTag = "hive"
  val StreamingContextTag = "streaming"
}
