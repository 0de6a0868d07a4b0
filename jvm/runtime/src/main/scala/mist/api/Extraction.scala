package mist.api

/** The outcome of reading an argument: the value, or why it could not be read, rendered as
  * Mist renders it (`Invalid field samples:Invalid type: expected Int, got null`). */
sealed trait Extraction[+A] {
  def map[B](f: A => B): Extraction[B] = this match {
    case Extracted(a) => Extracted(f(a))
    case failed: Failed => failed
  }
  def flatMap[B](f: A => Extraction[B]): Extraction[B] = this match {
    case Extracted(a) => f(a)
    case failed: Failed => failed
  }
  def isSuccess: Boolean = this.isInstanceOf[Extracted[_]]
  def isFailed: Boolean = !isSuccess
}
final case class Extracted[+A](value: A) extends Extraction[A]

sealed trait Failed extends Extraction[Nothing]
object Failed {
  final case class InternalError(msg: String) extends Failed { override def toString = s"Internal error: $msg" }
  final case class InvalidValue(msg: String) extends Failed { override def toString = s"Invalid value: $msg" }
  final case class InvalidType(expected: String, got: String) extends Failed {
    override def toString = s"Invalid type: expected $expected, got $got"
  }
  final case class InvalidField(field: String, f: Failed) extends Failed { override def toString = s"Invalid field $field:$f" }
  final case class IncompleteObject(clazz: String, failure: Failed) extends Failed {
    override def toString = s"Incomplete object for class $clazz, reason: $failure"
  }
  final case class ComplexFailure(failures: Seq[Failed]) extends Failed {
    override def toString: String = failures.mkString("Errors[", ",", "]")
  }

  def toComplex(f1: Failed, f2: Failed): ComplexFailure = (f1, f2) match {
    case (ComplexFailure(a), ComplexFailure(b)) => ComplexFailure(a ++ b)
    case (ComplexFailure(a), b) => ComplexFailure(a :+ b)
    case (a, ComplexFailure(b)) => ComplexFailure(a +: b)
    case (a, b) => ComplexFailure(Seq(a, b))
  }
}

object Extraction {
  def tryExtract[A](f: => A)(onError: Throwable => Failed): Extraction[A] =
    try Extracted(f) catch { case e: Throwable => onError(e) }
}
