package mist.api

import mist.api.data.JsMap

// Generated once by hand from a small loop (arities 2..8); edit all arities alike.

/** Joins two argument definitions: values collect into one flat tuple, so that
  * `arg[Int]("n") & arg[String]("s")` followed by a SparkContext is `(Int, String, SparkContext)`. */
trait ArgCombiner[A, B] extends Serializable {
  type Out
  def apply(a: ArgDef[A], b: ArgDef[B]): ArgDef[Out]
}

trait LowPriorityArgCombiner {
  implicit def pair[A, B]: ArgCombiner.Aux[A, B, (A, B)] = ArgCombiner.make[A, B, (A, B)]((a, b) => (a, b))
}

object ArgCombiner extends LowPriorityArgCombiner {
  type Aux[A, B, O] = ArgCombiner[A, B] { type Out = O }

  def make[A, B, O](join: (A, B) => O): Aux[A, B, O] = new ArgCombiner[A, B] {
    type Out = O
    def apply(a: ArgDef[A], b: ArgDef[B]): ArgDef[O] = new ArgDef[O] {
      def describe(): Seq[ArgInfo] = a.describe() ++ b.describe()
      override def validate(params: JsMap): Extraction[Unit] = (a.validate(params), b.validate(params)) match {
        case (f1: Failed, f2: Failed) => Failed.toComplex(f1, f2)
        case (f: Failed, _) => f
        case (_, f: Failed) => f
        case _ => Extracted(())
      }
      def extract(ctx: FnContext): Extraction[O] = (a.extract(ctx), b.extract(ctx)) match {
        case (Extracted(x), Extracted(y)) => Extracted(join(x, y))
        case (f1: Failed, f2: Failed) => Failed.toComplex(f1, f2)
        case (f: Failed, _) => f
        case (_, f: Failed) => f
      }
    }
  }

  implicit def tuple2[T1, T2, B]: Aux[(T1, T2), B, (T1, T2, B)] = make[(T1, T2), B, (T1, T2, B)]((x, b) => (x._1, x._2, b))
  implicit def tuple3[T1, T2, T3, B]: Aux[(T1, T2, T3), B, (T1, T2, T3, B)] = make[(T1, T2, T3), B, (T1, T2, T3, B)]((x, b) => (x._1, x._2, x._3, b))
  implicit def tuple4[T1, T2, T3, T4, B]: Aux[(T1, T2, T3, T4), B, (T1, T2, T3, T4, B)] = make[(T1, T2, T3, T4), B, (T1, T2, T3, T4, B)]((x, b) => (x._1, x._2, x._3, x._4, b))
  implicit def tuple5[T1, T2, T3, T4, T5, B]: Aux[(T1, T2, T3, T4, T5), B, (T1, T2, T3, T4, T5, B)] = make[(T1, T2, T3, T4, T5), B, (T1, T2, T3, T4, T5, B)]((x, b) => (x._1, x._2, x._3, x._4, x._5, b))
  implicit def tuple6[T1, T2, T3, T4, T5, T6, B]: Aux[(T1, T2, T3, T4, T5, T6), B, (T1, T2, T3, T4, T5, T6, B)] = make[(T1, T2, T3, T4, T5, T6), B, (T1, T2, T3, T4, T5, T6, B)]((x, b) => (x._1, x._2, x._3, x._4, x._5, x._6, b))
  implicit def tuple7[T1, T2, T3, T4, T5, T6, T7, B]: Aux[(T1, T2, T3, T4, T5, T6, T7), B, (T1, T2, T3, T4, T5, T6, T7, B)] = make[(T1, T2, T3, T4, T5, T6, T7), B, (T1, T2, T3, T4, T5, T6, T7, B)]((x, b) => (x._1, x._2, x._3, x._4, x._5, x._6, x._7, b))
  implicit def tuple8[T1, T2, T3, T4, T5, T6, T7, T8, B]: Aux[(T1, T2, T3, T4, T5, T6, T7, T8), B, (T1, T2, T3, T4, T5, T6, T7, T8, B)] = make[(T1, T2, T3, T4, T5, T6, T7, T8), B, (T1, T2, T3, T4, T5, T6, T7, T8, B)]((x, b) => (x._1, x._2, x._3, x._4, x._5, x._6, x._7, x._8, b))
}

/** Calls a function of N parameters with an N-tuple (or a function of one with a value). */
trait FnForTuple[In, F] extends Serializable {
  type Out
  def apply(f: F, in: In): Out
}

trait LowPriorityFnForTuple {
  implicit def single[A, R]: FnForTuple.Aux[A, A => R, R] = FnForTuple.make[A, A => R, R]((f, a) => f(a))
}

object FnForTuple extends LowPriorityFnForTuple {
  type Aux[In, F, O] = FnForTuple[In, F] { type Out = O }

  def make[In, F, O](call: (F, In) => O): Aux[In, F, O] = new FnForTuple[In, F] {
    type Out = O
    def apply(f: F, in: In): O = call(f, in)
  }

  implicit def fn2[T1, T2, R]: Aux[(T1, T2), (T1, T2) => R, R] = make[(T1, T2), (T1, T2) => R, R]((f, x) => f(x._1, x._2))
  implicit def fn3[T1, T2, T3, R]: Aux[(T1, T2, T3), (T1, T2, T3) => R, R] = make[(T1, T2, T3), (T1, T2, T3) => R, R]((f, x) => f(x._1, x._2, x._3))
  implicit def fn4[T1, T2, T3, T4, R]: Aux[(T1, T2, T3, T4), (T1, T2, T3, T4) => R, R] = make[(T1, T2, T3, T4), (T1, T2, T3, T4) => R, R]((f, x) => f(x._1, x._2, x._3, x._4))
  implicit def fn5[T1, T2, T3, T4, T5, R]: Aux[(T1, T2, T3, T4, T5), (T1, T2, T3, T4, T5) => R, R] = make[(T1, T2, T3, T4, T5), (T1, T2, T3, T4, T5) => R, R]((f, x) => f(x._1, x._2, x._3, x._4, x._5))
  implicit def fn6[T1, T2, T3, T4, T5, T6, R]: Aux[(T1, T2, T3, T4, T5, T6), (T1, T2, T3, T4, T5, T6) => R, R] = make[(T1, T2, T3, T4, T5, T6), (T1, T2, T3, T4, T5, T6) => R, R]((f, x) => f(x._1, x._2, x._3, x._4, x._5, x._6))
  implicit def fn7[T1, T2, T3, T4, T5, T6, T7, R]: Aux[(T1, T2, T3, T4, T5, T6, T7), (T1, T2, T3, T4, T5, T6, T7) => R, R] = make[(T1, T2, T3, T4, T5, T6, T7), (T1, T2, T3, T4, T5, T6, T7) => R, R]((f, x) => f(x._1, x._2, x._3, x._4, x._5, x._6, x._7))
  implicit def fn8[T1, T2, T3, T4, T5, T6, T7, T8, R]: Aux[(T1, T2, T3, T4, T5, T6, T7, T8), (T1, T2, T3, T4, T5, T6, T7, T8) => R, R] = make[(T1, T2, T3, T4, T5, T6, T7, T8), (T1, T2, T3, T4, T5, T6, T7, T8) => R, R]((f, x) => f(x._1, x._2, x._3, x._4, x._5, x._6, x._7, x._8))
  implicit def fn9[T1, T2, T3, T4, T5, T6, T7, T8, T9, R]: Aux[(T1, T2, T3, T4, T5, T6, T7, T8, T9), (T1, T2, T3, T4, T5, T6, T7, T8, T9) => R, R] = make[(T1, T2, T3, T4, T5, T6, T7, T8, T9), (T1, T2, T3, T4, T5, T6, T7, T8, T9) => R, R]((f, x) => f(x._1, x._2, x._3, x._4, x._5, x._6, x._7, x._8, x._9))
}
