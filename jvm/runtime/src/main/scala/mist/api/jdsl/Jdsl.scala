package mist.api.jdsl

import mist.api._
import mist.api.data._
import mist.api.encoding.{JsEncoder, JsExtractor}
import mist.api.encoding.defaults._
import org.apache.spark.api.java.JavaSparkContext
import org.apache.spark.sql.SparkSession
import org.apache.spark.streaming.api.java.JavaStreamingContext
import java.{lang => jl, util => ju}
import scala.jdk.CollectionConverters._

// Mist's Java DSL (`import static mist.api.jdsl.Jdsl.*`): typed arguments, `withArgs(a, b, …)`
// up to 5, `onSparkContext((a, b, sc) -> …)`, and `toHandle(JEncoders.…)`.

trait Func1[T1, R] extends Serializable {
  @throws[Exception]
  def apply(a1: T1): R
}

trait Func2[T1, T2, R] extends Serializable {
  @throws[Exception]
  def apply(a1: T1, a2: T2): R
}

trait Func3[T1, T2, T3, R] extends Serializable {
  @throws[Exception]
  def apply(a1: T1, a2: T2, a3: T3): R
}

trait Func4[T1, T2, T3, T4, R] extends Serializable {
  @throws[Exception]
  def apply(a1: T1, a2: T2, a3: T3, a4: T4): R
}

trait Func5[T1, T2, T3, T4, T5, R] extends Serializable {
  @throws[Exception]
  def apply(a1: T1, a2: T2, a3: T3, a4: T4, a5: T5): R
}

trait Func6[T1, T2, T3, T4, T5, T6, R] extends Serializable {
  @throws[Exception]
  def apply(a1: T1, a2: T2, a3: T3, a4: T4, a5: T5, a6: T6): R
}

/** An argument for the Java DSL. */
trait JArg[A] {
  def asScala: ArgDef[A]
}

class JUserArg[A](underlying: UserArg[A]) extends JArg[A] {
  def validated(f: Func1[A, jl.Boolean], reason: String): JUserArg[A] = new JUserArg(underlying.validated((a: A) => f(a).booleanValue(), reason))
  def validated(f: Func1[A, jl.Boolean]): JUserArg[A] = new JUserArg(underlying.validated((a: A) => f(a).booleanValue()))
  def asScala: UserArg[A] = underlying
}

private[jdsl] object Contexts {
  val javaSparkContext: ArgDef[JavaSparkContext] = SparkArgs.sparkContextArg.map(sc => new JavaSparkContext(sc))
  val javaStreamingContext: ArgDef[JavaStreamingContext] = SparkArgs.streamingContextArg.map(ssc => new JavaStreamingContext(ssc))
}

class Args1[T1](val args: ArgDef[T1]) {
  def onSparkContext[R](f: Func2[T1, JavaSparkContext, R]): RawHandle[R] =
    ArgCombiner.pair[T1, JavaSparkContext].apply(args, Contexts.javaSparkContext).apply((p: (T1, JavaSparkContext)) => { val x = p._1; f(x, p._2) })
  def onSparkSession[R](f: Func2[T1, SparkSession, R]): RawHandle[R] =
    ArgCombiner.pair[T1, SparkSession].apply(args, SparkArgs.sparkSessionArg).apply((p: (T1, SparkSession)) => { val x = p._1; f(x, p._2) })
  def onSparkSessionWithHive[R](f: Func2[T1, SparkSession, R]): RawHandle[R] =
    ArgCombiner.pair[T1, SparkSession].apply(args, SparkArgs.sparkSessionWithHiveArg).apply((p: (T1, SparkSession)) => { val x = p._1; f(x, p._2) })
  def onStreamingContext[R](f: Func2[T1, JavaStreamingContext, R]): RawHandle[R] =
    ArgCombiner.pair[T1, JavaStreamingContext].apply(args, Contexts.javaStreamingContext).apply((p: (T1, JavaStreamingContext)) => { val x = p._1; f(x, p._2) })
  def withMistExtras(): Args2[T1, MistExtras] = new Args2[T1, MistExtras](ArgCombiner.pair[T1, MistExtras].apply(args, MistExtras.mistExtras).map { case (x, e) => (x, e) })
}

class Args2[T1, T2](val args: ArgDef[(T1, T2)]) {
  def onSparkContext[R](f: Func3[T1, T2, JavaSparkContext, R]): RawHandle[R] =
    ArgCombiner.pair[(T1, T2), JavaSparkContext].apply(args, Contexts.javaSparkContext).apply((p: ((T1, T2), JavaSparkContext)) => { val x = p._1; f(x._1, x._2, p._2) })
  def onSparkSession[R](f: Func3[T1, T2, SparkSession, R]): RawHandle[R] =
    ArgCombiner.pair[(T1, T2), SparkSession].apply(args, SparkArgs.sparkSessionArg).apply((p: ((T1, T2), SparkSession)) => { val x = p._1; f(x._1, x._2, p._2) })
  def onSparkSessionWithHive[R](f: Func3[T1, T2, SparkSession, R]): RawHandle[R] =
    ArgCombiner.pair[(T1, T2), SparkSession].apply(args, SparkArgs.sparkSessionWithHiveArg).apply((p: ((T1, T2), SparkSession)) => { val x = p._1; f(x._1, x._2, p._2) })
  def onStreamingContext[R](f: Func3[T1, T2, JavaStreamingContext, R]): RawHandle[R] =
    ArgCombiner.pair[(T1, T2), JavaStreamingContext].apply(args, Contexts.javaStreamingContext).apply((p: ((T1, T2), JavaStreamingContext)) => { val x = p._1; f(x._1, x._2, p._2) })
  def withMistExtras(): Args3[T1, T2, MistExtras] = new Args3[T1, T2, MistExtras](ArgCombiner.pair[(T1, T2), MistExtras].apply(args, MistExtras.mistExtras).map { case (x, e) => (x._1, x._2, e) })
}

class Args3[T1, T2, T3](val args: ArgDef[(T1, T2, T3)]) {
  def onSparkContext[R](f: Func4[T1, T2, T3, JavaSparkContext, R]): RawHandle[R] =
    ArgCombiner.pair[(T1, T2, T3), JavaSparkContext].apply(args, Contexts.javaSparkContext).apply((p: ((T1, T2, T3), JavaSparkContext)) => { val x = p._1; f(x._1, x._2, x._3, p._2) })
  def onSparkSession[R](f: Func4[T1, T2, T3, SparkSession, R]): RawHandle[R] =
    ArgCombiner.pair[(T1, T2, T3), SparkSession].apply(args, SparkArgs.sparkSessionArg).apply((p: ((T1, T2, T3), SparkSession)) => { val x = p._1; f(x._1, x._2, x._3, p._2) })
  def onSparkSessionWithHive[R](f: Func4[T1, T2, T3, SparkSession, R]): RawHandle[R] =
    ArgCombiner.pair[(T1, T2, T3), SparkSession].apply(args, SparkArgs.sparkSessionWithHiveArg).apply((p: ((T1, T2, T3), SparkSession)) => { val x = p._1; f(x._1, x._2, x._3, p._2) })
  def onStreamingContext[R](f: Func4[T1, T2, T3, JavaStreamingContext, R]): RawHandle[R] =
    ArgCombiner.pair[(T1, T2, T3), JavaStreamingContext].apply(args, Contexts.javaStreamingContext).apply((p: ((T1, T2, T3), JavaStreamingContext)) => { val x = p._1; f(x._1, x._2, x._3, p._2) })
  def withMistExtras(): Args4[T1, T2, T3, MistExtras] = new Args4[T1, T2, T3, MistExtras](ArgCombiner.pair[(T1, T2, T3), MistExtras].apply(args, MistExtras.mistExtras).map { case (x, e) => (x._1, x._2, x._3, e) })
}

class Args4[T1, T2, T3, T4](val args: ArgDef[(T1, T2, T3, T4)]) {
  def onSparkContext[R](f: Func5[T1, T2, T3, T4, JavaSparkContext, R]): RawHandle[R] =
    ArgCombiner.pair[(T1, T2, T3, T4), JavaSparkContext].apply(args, Contexts.javaSparkContext).apply((p: ((T1, T2, T3, T4), JavaSparkContext)) => { val x = p._1; f(x._1, x._2, x._3, x._4, p._2) })
  def onSparkSession[R](f: Func5[T1, T2, T3, T4, SparkSession, R]): RawHandle[R] =
    ArgCombiner.pair[(T1, T2, T3, T4), SparkSession].apply(args, SparkArgs.sparkSessionArg).apply((p: ((T1, T2, T3, T4), SparkSession)) => { val x = p._1; f(x._1, x._2, x._3, x._4, p._2) })
  def onSparkSessionWithHive[R](f: Func5[T1, T2, T3, T4, SparkSession, R]): RawHandle[R] =
    ArgCombiner.pair[(T1, T2, T3, T4), SparkSession].apply(args, SparkArgs.sparkSessionWithHiveArg).apply((p: ((T1, T2, T3, T4), SparkSession)) => { val x = p._1; f(x._1, x._2, x._3, x._4, p._2) })
  def onStreamingContext[R](f: Func5[T1, T2, T3, T4, JavaStreamingContext, R]): RawHandle[R] =
    ArgCombiner.pair[(T1, T2, T3, T4), JavaStreamingContext].apply(args, Contexts.javaStreamingContext).apply((p: ((T1, T2, T3, T4), JavaStreamingContext)) => { val x = p._1; f(x._1, x._2, x._3, x._4, p._2) })
  def withMistExtras(): Args5[T1, T2, T3, T4, MistExtras] = new Args5[T1, T2, T3, T4, MistExtras](ArgCombiner.pair[(T1, T2, T3, T4), MistExtras].apply(args, MistExtras.mistExtras).map { case (x, e) => (x._1, x._2, x._3, x._4, e) })
}

class Args5[T1, T2, T3, T4, T5](val args: ArgDef[(T1, T2, T3, T4, T5)]) {
  def onSparkContext[R](f: Func6[T1, T2, T3, T4, T5, JavaSparkContext, R]): RawHandle[R] =
    ArgCombiner.pair[(T1, T2, T3, T4, T5), JavaSparkContext].apply(args, Contexts.javaSparkContext).apply((p: ((T1, T2, T3, T4, T5), JavaSparkContext)) => { val x = p._1; f(x._1, x._2, x._3, x._4, x._5, p._2) })
  def onSparkSession[R](f: Func6[T1, T2, T3, T4, T5, SparkSession, R]): RawHandle[R] =
    ArgCombiner.pair[(T1, T2, T3, T4, T5), SparkSession].apply(args, SparkArgs.sparkSessionArg).apply((p: ((T1, T2, T3, T4, T5), SparkSession)) => { val x = p._1; f(x._1, x._2, x._3, x._4, x._5, p._2) })
  def onSparkSessionWithHive[R](f: Func6[T1, T2, T3, T4, T5, SparkSession, R]): RawHandle[R] =
    ArgCombiner.pair[(T1, T2, T3, T4, T5), SparkSession].apply(args, SparkArgs.sparkSessionWithHiveArg).apply((p: ((T1, T2, T3, T4, T5), SparkSession)) => { val x = p._1; f(x._1, x._2, x._3, x._4, x._5, p._2) })
  def onStreamingContext[R](f: Func6[T1, T2, T3, T4, T5, JavaStreamingContext, R]): RawHandle[R] =
    ArgCombiner.pair[(T1, T2, T3, T4, T5), JavaStreamingContext].apply(args, Contexts.javaStreamingContext).apply((p: ((T1, T2, T3, T4, T5), JavaStreamingContext)) => { val x = p._1; f(x._1, x._2, x._3, x._4, x._5, p._2) })
}

trait JWithArgs {
  def withArgs[T1](a1: JArg[T1]): Args1[T1] = new Args1[T1](a1.asScala)
  def withArgs[T1, T2](a1: JArg[T1], a2: JArg[T2]): Args2[T1, T2] = new Args2[T1, T2](ArgCombiner.pair[T1, T2].apply(a1.asScala, a2.asScala))
  def withArgs[T1, T2, T3](a1: JArg[T1], a2: JArg[T2], a3: JArg[T3]): Args3[T1, T2, T3] = new Args3[T1, T2, T3](ArgCombiner.pair[(T1, T2), T3].apply(ArgCombiner.pair[T1, T2].apply(a1.asScala, a2.asScala), a3.asScala).map(x => (x._1._1, x._1._2, x._2)))
  def withArgs[T1, T2, T3, T4](a1: JArg[T1], a2: JArg[T2], a3: JArg[T3], a4: JArg[T4]): Args4[T1, T2, T3, T4] = new Args4[T1, T2, T3, T4](ArgCombiner.pair[(T1, T2, T3), T4].apply(ArgCombiner.pair[(T1, T2), T3].apply(ArgCombiner.pair[T1, T2].apply(a1.asScala, a2.asScala), a3.asScala).map(x => (x._1._1, x._1._2, x._2)), a4.asScala).map(x => (x._1._1, x._1._2, x._1._3, x._2)))
  def withArgs[T1, T2, T3, T4, T5](a1: JArg[T1], a2: JArg[T2], a3: JArg[T3], a4: JArg[T4], a5: JArg[T5]): Args5[T1, T2, T3, T4, T5] = new Args5[T1, T2, T3, T4, T5](ArgCombiner.pair[(T1, T2, T3, T4), T5].apply(ArgCombiner.pair[(T1, T2, T3), T4].apply(ArgCombiner.pair[(T1, T2), T3].apply(ArgCombiner.pair[T1, T2].apply(a1.asScala, a2.asScala), a3.asScala).map(x => (x._1._1, x._1._2, x._2)), a4.asScala).map(x => (x._1._1, x._1._2, x._1._3, x._2)), a5.asScala).map(x => (x._1._1, x._1._2, x._1._3, x._1._4, x._2)))
}

trait JArgsDef {
  private def named[A](name: String)(implicit ext: JsExtractor[A]): JUserArg[A] = new JUserArg[A](new NamedUserArg[A](name))
  private def named[A](name: String, default: A)(implicit ext: JsExtractor[A]): JUserArg[A] =
    new JUserArg[A](new NamedUserArgWithDefault[A](name, default))

  def intArg(name: String): JUserArg[jl.Integer] = named[jl.Integer](name)
  def intArg(name: String, defaultValue: jl.Integer): JUserArg[jl.Integer] = named[jl.Integer](name, defaultValue)
  def doubleArg(name: String): JUserArg[jl.Double] = named[jl.Double](name)
  def doubleArg(name: String, defaultValue: jl.Double): JUserArg[jl.Double] = named[jl.Double](name, defaultValue)
  def stringArg(name: String): JUserArg[String] = named[String](name)
  def stringArg(name: String, defaultValue: String): JUserArg[String] = named[String](name, defaultValue)
  def booleanArg(name: String): JUserArg[jl.Boolean] = named[jl.Boolean](name)
  def booleanArg(name: String, defaultValue: jl.Boolean): JUserArg[jl.Boolean] = named[jl.Boolean](name, defaultValue)

  private def optArg[T](name: String)(implicit ext: JsExtractor[T]): JUserArg[ju.Optional[T]] =
    new JUserArg[ju.Optional[T]](ArgsInstances.opt[T](name)(ext).asInstanceOf[UserArg[Option[T]]] match {
      case inner => new UserArg[ju.Optional[T]] {
        def describe(): Seq[ArgInfo] = inner.describe()
        def extract(ctx: FnContext): Extraction[ju.Optional[T]] = inner.extract(ctx).map {
          case Some(v) => ju.Optional.of(v)
          case None => ju.Optional.empty[T]()
        }
      }
    })
  def optIntArg(name: String): JUserArg[ju.Optional[jl.Integer]] = optArg[jl.Integer](name)
  def optDoubleArg(name: String): JUserArg[ju.Optional[jl.Double]] = optArg[jl.Double](name)
  def optStringArg(name: String): JUserArg[ju.Optional[String]] = optArg[String](name)
  def optBooleanArg(name: String): JUserArg[ju.Optional[jl.Boolean]] = optArg[jl.Boolean](name)

  private def listArg[T](name: String)(implicit ext: JsExtractor[T]): JUserArg[ju.List[T]] =
    new JUserArg[ju.List[T]](new NamedUserArg[Seq[T]](name)(seqExt(ext)).asInstanceOf[UserArg[Seq[T]]] match {
      case inner => new UserArg[ju.List[T]] {
        def describe(): Seq[ArgInfo] = inner.describe()
        def extract(ctx: FnContext): Extraction[ju.List[T]] = inner.extract(ctx).map(_.asJava)
      }
    })
  def intListArg(name: String): JUserArg[ju.List[jl.Integer]] = listArg[jl.Integer](name)
  def doubleListArg(name: String): JUserArg[ju.List[jl.Double]] = listArg[jl.Double](name)
  def stringListArg(name: String): JUserArg[ju.List[String]] = listArg[String](name)
  def booleanListArg(name: String): JUserArg[ju.List[jl.Boolean]] = listArg[jl.Boolean](name)

  val allArgs: JArg[ju.Map[String, Any]] = new JArg[ju.Map[String, Any]] {
    def asScala: ArgDef[ju.Map[String, Any]] = ArgsInstances.allArgs.map(_.asJava)
  }
}

trait JJobDefinition extends JWithArgs {
  def onSparkContext[R](f: Func1[JavaSparkContext, R]): RawHandle[R] = Contexts.javaSparkContext.apply((sc: JavaSparkContext) => f(sc))
  def onSparkSession[R](f: Func1[SparkSession, R]): RawHandle[R] = SparkArgs.sparkSessionArg.apply((s: SparkSession) => f(s))
  def onSparkSessionWithHive[R](f: Func1[SparkSession, R]): RawHandle[R] = SparkArgs.sparkSessionWithHiveArg.apply((s: SparkSession) => f(s))
  def onStreamingContext[R](f: Func1[JavaStreamingContext, R]): RawHandle[R] =
    Contexts.javaStreamingContext.apply((s: JavaStreamingContext) => f(s))
  def withMistExtras(): Args1[MistExtras] = new Args1[MistExtras](MistExtras.mistExtras)
}

object Jdsl extends JJobDefinition with JArgsDef

object JEncoders {
  val empty: JsEncoder[Void] = JsEncoder(_ => JsNull)
  val shortEncoder: JsEncoder[jl.Short] = JsEncoder(s => JsNumber(s))
  val intEncoder: JsEncoder[jl.Integer] = JsEncoder(i => JsNumber(i))
  val longEncoder: JsEncoder[jl.Long] = JsEncoder(l => JsNumber(l))
  val floatEncoder: JsEncoder[jl.Double] = JsEncoder(f => JsNumber(f))
  val doubleEncoder: JsEncoder[jl.Double] = JsEncoder(d => JsNumber(d))
  val stringEncoder: JsEncoder[String] = JsEncoder(s => JsString(s))
  val booleanEncoder: JsEncoder[jl.Boolean] = JsEncoder(b => JsBoolean(b.booleanValue()))
  def optionalEncoderOf[T](enc: JsEncoder[T]): JsEncoder[ju.Optional[T]] = JsEncoder(o => if (o.isPresent) enc(o.get()) else JsNull)
  def listEncoderOf[T](enc: JsEncoder[T]): JsEncoder[ju.List[T]] = JsEncoder(l => JsList(l.asScala.toSeq.map(enc(_))))
  def mapEncoderOf[T](enc: JsEncoder[T]): JsEncoder[ju.Map[String, T]] =
    JsEncoder(m => JsMap(m.asScala.toSeq.map { case (k, v) => k -> enc(v) }: _*))
  val jsData: JsEncoder[JsData] = JsEncoder(d => d)
  /** Any value Haze can encode: numbers, strings, Java and Scala collections, Rows, Datasets. */
  val anyEncoder: JsEncoder[Object] = JsEncoder(o => mist.api.encoding.RowEncoding.value(o))
}
