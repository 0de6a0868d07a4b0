package mist.api

import mist.api.data._
import mist.api.encoding.{JsEncoder, JsExtractor, RootExtractor}
import org.apache.spark.SparkContext
import org.apache.spark.sql.{SQLContext, SparkSession}
import org.apache.spark.sql.hive.HiveContext
import org.apache.spark.streaming.{Duration, StreamingContext}

/** Arguments: `arg[Int]("n")`, `arg[Int]("n", 2)` (a default), `opt[Int]("n")` (an Option),
  * `arg[Req]` (every argument as the fields of one object), `allArgs` (the raw map). */
trait ArgsInstances {
  def arg[A](name: String)(implicit ext: JsExtractor[A]): UserArg[A] = new NamedUserArg[A](name)
  def arg[A](name: String, value: A)(implicit ext: JsExtractor[A]): UserArg[A] = new NamedUserArgWithDefault[A](name, value)
  def arg[A](implicit ext: RootExtractor[A]): UserArg[A] = new UserArg[A] {
    def describe(): Seq[ArgInfo] = ext.`type`.fields.map { case (name, t) => UserInputArgument(name, t) }
    def extract(ctx: FnContext): Extraction[A] = ext(ctx.params)
  }
  def opt[A](name: String)(implicit ext: JsExtractor[A]): UserArg[Option[A]] = new UserArg[Option[A]] {
    def describe(): Seq[ArgInfo] = Seq(UserInputArgument(name, MOption(ext.`type`)))
    def extract(ctx: FnContext): Extraction[Option[A]] = ctx.params.fieldValue(name) match {
      case JsNull => Extracted(None)
      case x => ext.transformFailure(f => Failed.InvalidField(name, f))(x).map(Some(_))
    }
  }
  def optional[A](name: String)(implicit ext: JsExtractor[A]): UserArg[Option[A]] = opt[A](name)

  val allArgs: ArgDef[Map[String, Any]] = new ArgDef[Map[String, Any]] {
    def describe(): Seq[ArgInfo] = Seq(InternalArgument())
    def extract(ctx: FnContext): Extraction[Map[String, Any]] = Extracted(ctx.params.map.map { case (k, v) => k -> plain(v) })
    override def validate(params: JsMap): Extraction[Unit] = Extracted(())
  }

  private def plain(js: JsData): Any = js match {
    case JsNumber(n) => if (n.isValidInt) n.toInt else if (n.isValidLong) n.toLong else n.toDouble
    case JsString(s) => s
    case b: JsBoolean => b.b
    case JsNull => null
    case JsList(items) => items.map(plain)
    case items: JsLazyList => items.iterator.map(plain).toSeq
    case m: JsMap => m.map.map { case (k, v) => k -> plain(v) }
  }
}
object ArgsInstances extends ArgsInstances

/** `withArgs(a, b, …)`: the arguments, combined into one definition of a tuple. */
trait WithArgsScala {
  def withArgs[A](a: ArgDef[A]): ArgDef[A] = a
  def withArgs[A, B, O](a: ArgDef[A], b: ArgDef[B])(implicit c: ArgCombiner.Aux[A, B, O]): ArgDef[O] = c(a, b)
  def withArgs[A, B, C, O1, O](a: ArgDef[A], b: ArgDef[B], c: ArgDef[C])(
      implicit c1: ArgCombiner.Aux[A, B, O1], c2: ArgCombiner.Aux[O1, C, O]): ArgDef[O] = c2(c1(a, b), c)
  def withArgs[A, B, C, D, O1, O2, O](a: ArgDef[A], b: ArgDef[B], c: ArgDef[C], d: ArgDef[D])(
      implicit c1: ArgCombiner.Aux[A, B, O1], c2: ArgCombiner.Aux[O1, C, O2], c3: ArgCombiner.Aux[O2, D, O]): ArgDef[O] =
    c3(c2(c1(a, b), c), d)
  def withArgs[A, B, C, D, E, O1, O2, O3, O](a: ArgDef[A], b: ArgDef[B], c: ArgDef[C], d: ArgDef[D], e: ArgDef[E])(
      implicit c1: ArgCombiner.Aux[A, B, O1], c2: ArgCombiner.Aux[O1, C, O2], c3: ArgCombiner.Aux[O2, D, O3],
      c4: ArgCombiner.Aux[O3, E, O]): ArgDef[O] = c4(c3(c2(c1(a, b), c), d), e)
  def withArgs[A, B, C, D, E, F, O1, O2, O3, O4, O](a: ArgDef[A], b: ArgDef[B], c: ArgDef[C], d: ArgDef[D], e: ArgDef[E], f: ArgDef[F])(
      implicit c1: ArgCombiner.Aux[A, B, O1], c2: ArgCombiner.Aux[O1, C, O2], c3: ArgCombiner.Aux[O2, D, O3],
      c4: ArgCombiner.Aux[O3, E, O4], c5: ArgCombiner.Aux[O4, F, O]): ArgDef[O] = c5(c4(c3(c2(c1(a, b), c), d), e), f)
}

/** The Spark objects a function may take, with the tags Mist reports for them. */
trait SparkArgs {
  val sparkContextArg: ArgDef[SparkContext] = SystemArg(Seq.empty, ctx => Extracted(ctx.sc))
  val sparkSessionArg: ArgDef[SparkSession] = SystemArg(Seq(ArgInfo.SqlContextTag), ctx => Extracted(ctx.sparkSession))
  val sparkSessionWithHiveArg: ArgDef[SparkSession] =
    SystemArg(Seq(ArgInfo.HiveContextTag, ArgInfo.SqlContextTag), ctx => Extracted(ctx.sparkSession))
  val sqlContextArg: ArgDef[SQLContext] = SystemArg(Seq(ArgInfo.SqlContextTag), ctx => Extracted(ctx.sparkSession.sqlContext))
  val hiveContextArg: ArgDef[HiveContext] =
    SystemArg(Seq(ArgInfo.HiveContextTag, ArgInfo.SqlContextTag), ctx => Extracted(new HiveContext(ctx.sc)))
  val streamingContextArg: ArgDef[StreamingContext] = SystemArg(Seq(ArgInfo.StreamingContextTag), ctx => {
    val ssc = new JobStreamingContext(ctx.sc, ctx.streamingDuration)
    ctx.onEnd(() => ssc.stop(stopSparkContext = false, stopGracefully = false))
    Extracted(ssc)
  })
}
object SparkArgs extends SparkArgs

/**
 * A job's StreamingContext. Stopping it never stops the SparkContext, which belongs to the
 * worker and its other jobs: Mist's own examples end with `ssc.stop()`, whose default would.
 */
final class JobStreamingContext(sc: SparkContext, batch: Duration) extends StreamingContext(sc, batch) {
  override def stop(stopSparkContext: Boolean, stopGracefully: Boolean): Unit = super.stop(false, stopGracefully)
}

trait MistExtrasDef {
  implicit class ExtrasOps[A](argDef: ArgDef[A]) {
    def withMistExtras[Out](implicit cmb: ArgCombiner.Aux[A, MistExtras, Out]): ArgDef[Out] = cmb(argDef, MistExtras.mistExtras)
  }
  def withMistExtras: ArgDef[MistExtras] = MistExtras.mistExtras
}

/** `args.onSparkContext((…, sc: SparkContext) => …)` and friends, and `.asHandle`. */
trait MistFnSyntax extends SparkArgs {
  implicit class AsHandleOps[A](raw: RawHandle[A]) {
    def asHandle(implicit enc: JsEncoder[A]): Handle = raw.toHandle(enc)
  }

  implicit class ContextsOps[A](args: ArgDef[A]) {
    def onSparkContext[F, Cmb, Out](f: F)(implicit cmb: ArgCombiner.Aux[A, SparkContext, Cmb], fnT: FnForTuple.Aux[Cmb, F, Out]): RawHandle[Out] =
      cmb(args, sparkContextArg).apply(f)
    def onStreamingContext[F, Cmb, Out](f: F)(implicit cmb: ArgCombiner.Aux[A, StreamingContext, Cmb], fnT: FnForTuple.Aux[Cmb, F, Out]): RawHandle[Out] =
      cmb(args, streamingContextArg).apply(f)
    def onSqlContext[F, Cmb, Out](f: F)(implicit cmb: ArgCombiner.Aux[A, SQLContext, Cmb], fnT: FnForTuple.Aux[Cmb, F, Out]): RawHandle[Out] =
      cmb(args, sqlContextArg).apply(f)
    def onSparkSession[F, Cmb, Out](f: F)(implicit cmb: ArgCombiner.Aux[A, SparkSession, Cmb], fnT: FnForTuple.Aux[Cmb, F, Out]): RawHandle[Out] =
      cmb(args, sparkSessionArg).apply(f)
    def onHiveContext[F, Cmb, Out](f: F)(implicit cmb: ArgCombiner.Aux[A, HiveContext, Cmb], fnT: FnForTuple.Aux[Cmb, F, Out]): RawHandle[Out] =
      cmb(args, hiveContextArg).apply(f)
    def onSparkSessionWithHive[F, Cmb, Out](f: F)(implicit cmb: ArgCombiner.Aux[A, SparkSession, Cmb], fnT: FnForTuple.Aux[Cmb, F, Out]): RawHandle[Out] =
      cmb(args, sparkSessionWithHiveArg).apply(f)
  }

  def onSparkContext[F, Out](f: F)(implicit fnT: FnForTuple.Aux[SparkContext, F, Out]): RawHandle[Out] = sparkContextArg.apply(f)
  def onStreamingContext[F, Out](f: F)(implicit fnT: FnForTuple.Aux[StreamingContext, F, Out]): RawHandle[Out] = streamingContextArg.apply(f)
  def onSqlContext[F, Out](f: F)(implicit fnT: FnForTuple.Aux[SQLContext, F, Out]): RawHandle[Out] = sqlContextArg.apply(f)
  def onSparkSession[F, Out](f: F)(implicit fnT: FnForTuple.Aux[SparkSession, F, Out]): RawHandle[Out] = sparkSessionArg.apply(f)
  def onHiveContext[F, Out](f: F)(implicit fnT: FnForTuple.Aux[HiveContext, F, Out]): RawHandle[Out] = hiveContextArg.apply(f)
  def onSparkSessionWithHive[F, Out](f: F)(implicit fnT: FnForTuple.Aux[SparkSession, F, Out]): RawHandle[Out] = sparkSessionWithHiveArg.apply(f)
}

/** `import mist.api.dsl._`: Mist's Scala DSL. */
object dsl extends ArgsInstances with MistExtrasDef with WithArgsScala with MistFnSyntax
