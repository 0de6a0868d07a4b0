package mist.api

import mist.api.data._
import mist.api.encoding.JsExtractor
import scala.util.{Failure, Try}

/** A definition of what a function takes: user arguments read from the job's JSON, or objects
  * the runtime provides (a SparkContext, MistExtras…). They combine with `&` / `combine`. */
trait ArgDef[A] extends Serializable { self =>
  def extract(ctx: FnContext): Extraction[A]
  def describe(): Seq[ArgInfo]

  /** Checks the job's arguments without running anything (what the master asks before a job exists). */
  def validate(params: JsMap): Extraction[Unit] = extract(FnContext.onlyInput(params)).map(_ => ())

  final def combine[B](other: ArgDef[B])(implicit cmb: ArgCombiner[A, B]): ArgDef[cmb.Out] = cmb(self, other)
  final def &[B](other: ArgDef[B])(implicit cmb: ArgCombiner[A, B]): ArgDef[cmb.Out] = cmb(self, other)

  final def map[B](f: A => B): ArgDef[B] = new ArgDef[B] {
    def describe(): Seq[ArgInfo] = self.describe()
    def extract(ctx: FnContext): Extraction[B] = self.extract(ctx).map(f)
    override def validate(params: JsMap): Extraction[Unit] = self.validate(params)
  }
  final def andThen[B](f: A => Extraction[B]): ArgDef[B] = new ArgDef[B] {
    def describe(): Seq[ArgInfo] = self.describe()
    def extract(ctx: FnContext): Extraction[B] = self.extract(ctx).flatMap(f)
    override def validate(params: JsMap): Extraction[Unit] = self.validate(params)
  }

  /** The function that runs with these arguments. */
  final def apply[F, R](f: F)(implicit fnT: FnForTuple.Aux[A, F, R]): RawHandle[R] = new RawHandle[R] {
    def invoke(ctx: FnContext): Try[R] = self.extract(ctx) match {
      case Extracted(a) => Try(fnT(f, a))
      case failed: Failed => Failure(new IllegalArgumentException(s"Arguments does not conform to job [$failed]"))
    }
    def describe(): Seq[ArgInfo] = self.describe()
    def validate(params: JsMap): Extraction[Unit] = self.validate(params)
  }
}

/** An argument the user passes. */
trait UserArg[A] extends ArgDef[A] { self =>
  def validated(f: A => Boolean, reason: String = "Validation failed"): UserArg[A] = new UserArg[A] {
    def describe(): Seq[ArgInfo] = {
      val infos = self.describe()
      infos ++ infos.collect { case UserInputArgument(name, _) => ArgRule(name) }.distinct
    }
    def extract(ctx: FnContext): Extraction[A] = self.extract(ctx).flatMap { a =>
      if (f(a)) Extracted(a)
      else Failed.InvalidValue("Arg was rejected by validation rule" + (if (reason.isEmpty) "" else " :" + reason))
    }
  }
}

class NamedUserArg[A](name: String)(implicit ext: JsExtractor[A]) extends UserArg[A] {
  def describe(): Seq[ArgInfo] = Seq(UserInputArgument(name, ext.`type`))
  def extract(ctx: FnContext): Extraction[A] = ext.transformFailure(f => Failed.InvalidField(name, f))(ctx.params.fieldValue(name))
  override def toString: String = s"${getClass.getSimpleName}($name)"
}

/** Shown as MOption (Mist hides defaults); Haze also reports the default itself. */
class NamedUserArgWithDefault[A](name: String, val default: A)(implicit ext: JsExtractor[A]) extends UserArg[A] {
  def describe(): Seq[ArgInfo] =
    Seq(UserInputArgument(name, MOption(ext.`type`)), ArgDefault(name, mist.api.encoding.RowEncoding.value(default)))
  def extract(ctx: FnContext): Extraction[A] = ctx.params.fieldValue(name) match {
    case JsNull => Extracted(default)
    case x => ext.transformFailure(f => Failed.InvalidField(name, f))(x)
  }
  override def toString: String = s"${getClass.getSimpleName}($name, $default)"
}

/** An object the runtime provides; its tags say what kind of Spark object the function uses. */
trait SystemArg[A] extends ArgDef[A] {
  final override def validate(params: JsMap): Extraction[Unit] = Extracted(())
}
object SystemArg {
  def apply[A](tags: Seq[String], f: FullFnContext => Extraction[A]): ArgDef[A] = new SystemArg[A] {
    def describe(): Seq[ArgInfo] = Seq(InternalArgument(tags))
    def extract(ctx: FnContext): Extraction[A] = ctx match {
      case full: FullFnContext => f(full)
      case _ => Failed.InternalError("the Spark objects are not available here (validating only)")
    }
  }
}
