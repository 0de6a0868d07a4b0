package haze.runtime

import haze.api.internal.{Readers, UnsupportedType}
import mist.api._
import mist.api.data._
import mist.api.encoding.{JsExtractor, RowEncoding}
import java.lang.reflect.{InvocationTargetException, Method, Modifier}
import java.util.concurrent.ConcurrentHashMap
import org.apache.spark.api.java.JavaSparkContext
import org.apache.spark.streaming.api.java.JavaStreamingContext
import scala.reflect.runtime.{universe => ru}
import scala.util.{Failure, Try}

/**
 * Functions of Haze's own API (haze.api.HazeFunction): a class with one public `run` method
 * whose parameters are the Spark object and the job's arguments. Each is seen by the rest of
 * the runtime as a MistFn whose handle is built from that method's declared types, so the
 * worker, InfoMain and validation treat both APIs alike.
 */
object TypedFunctions {
  /** The Spark objects a `run` method may ask for, by their class, with the tags they report. */
  private val sparkObjects: Map[String, ArgDef[Any]] = Map(
    "org.apache.spark.sql.SparkSession" -> SparkArgs.sparkSessionArg.map(s => s: Any),
    "org.apache.spark.SparkContext" -> SparkArgs.sparkContextArg.map(s => s: Any),
    "org.apache.spark.api.java.JavaSparkContext" -> SparkArgs.sparkContextArg.map(sc => new JavaSparkContext(sc): Any),
    "org.apache.spark.sql.SQLContext" -> SparkArgs.sqlContextArg.map(s => s: Any),
    "org.apache.spark.streaming.StreamingContext" -> SparkArgs.streamingContextArg.map(s => s: Any),
    "org.apache.spark.streaming.api.java.JavaStreamingContext" -> SparkArgs.streamingContextArg.map(s => new JavaStreamingContext(s): Any),
  )

  // Built once per class: reading a signature with scala-reflect costs milliseconds, a job must not.
  private val adapted = new ConcurrentHashMap[Class[_], MistFn]()

  def adapt(instance: AnyRef, cls: Class[_], scala: Boolean): MistFn = {
    val known = adapted.get(cls)
    if (known != null) return known
    val fn = build(instance, cls, scala)
    Option(adapted.putIfAbsent(cls, fn)).getOrElse(fn)
  }

  private def build(instance: AnyRef, cls: Class[_], scala: Boolean): MistFn = {
    val method = runMethod(cls)
    val names = if (scala) scalaNames(cls, method) else javaNames(method)
    val readers: Seq[Option[JsExtractor[Any]]] =
      if (scala) scalaReaders(cls, method)
      else method.getGenericParameterTypes.toSeq.zip(names).map { case (t, name) =>
        if (isSpark(t.getTypeName)) None
        else try Some(Readers.ofJava(t)) catch {
          case e: UnsupportedType => throw new JvmFunctions.LoadError(s"${cls.getName}.run: parameter $name: ${e.getMessage}")
        }
      }
    val definitions: Seq[ArgDef[Any]] = method.getParameterTypes.toSeq.zipWithIndex.map { case (t, i) =>
      val name = names(i)
      sparkObjects.get(t.getName) match {
        case Some(spark) => spark
        case None =>
          val ext = readers(i).getOrElse(throw new UnsupportedType(s"parameter $name: unreadable"))
          val default = if (scala) scalaDefault(instance, cls, i) else javaDefault(method, i, name, ext)
          default match {
            case Some(value) => new NamedUserArgWithDefault[Any](name, value)(ext)
            case None => new NamedUserArg[Any](name)(ext)
          }
      }
    }
    val spark = definitions.count(d => sparkObjects.values.exists(_ eq d))
    if (spark > 1) throw new JvmFunctions.LoadError(s"${cls.getName}.run takes $spark Spark objects; it may take one")
    val h: Handle = new Handle {
      def describe(): Seq[ArgInfo] = {
        val all = definitions.flatMap(_.describe())
        // A function without a Spark object still runs on the worker's SparkContext.
        if (all.exists(_.isInstanceOf[InternalArgument])) all else all :+ InternalArgument()
      }
      def validate(params: JsMap): Extraction[Unit] = Readers.all(definitions.map(_.validate(params))).map(_ => ())
      def invoke(ctx: FnContext): Try[JsData] = Readers.all(definitions.map(_.extract(ctx))) match {
        case Extracted(values) =>
          Try {
            try method.invoke(instance, values.map(_.asInstanceOf[AnyRef]): _*)
            catch { case e: InvocationTargetException if e.getCause != null => throw e.getCause }
          }.map(RowEncoding.value)
        case failed: Failed => Failure(new IllegalArgumentException(s"Arguments does not conform to job [$failed]"))
      }
    }
    new MistFn { def handle: Handle = h }
  }

  private def isSpark(typeName: String): Boolean = sparkObjects.contains(typeName)

  private def runMethod(cls: Class[_]): Method = {
    val runs = cls.getMethods.filter(m => m.getName == "run" && !m.isBridge && !m.isSynthetic && !Modifier.isStatic(m.getModifiers))
    runs match {
      case Array(one) => one
      case Array() => throw new JvmFunctions.LoadError(s"${cls.getName} implements haze.api.HazeFunction but has no public method run")
      case many => throw new JvmFunctions.LoadError(s"${cls.getName} has ${many.length} public methods named run; a function has one")
    }
  }

  private def javaNames(method: Method): Seq[String] = method.getParameters.toSeq.map { p =>
    Option(p.getAnnotation(classOf[haze.api.Arg])).map(_.value)
      .orElse(if (p.isNamePresent) Some(p.getName) else None)
      .getOrElse(if (isSpark(p.getType.getName)) p.getName else throw new JvmFunctions.LoadError(
        s"${method.getDeclaringClass.getName}.run: parameter names are not in the class file; compile with javac -parameters or annotate each parameter with @haze.api.Arg(\"name\")"))
  }

  private def javaDefault(method: Method, index: Int, name: String, ext: JsExtractor[Any]): Option[Any] =
    Option(method.getParameters()(index).getAnnotation(classOf[haze.api.Default])).map { annotation =>
      val js = try JsData.parse(annotation.value) catch {
        case e: Exception => throw new JvmFunctions.LoadError(s"the @Default of $name is not JSON (${annotation.value}): ${e.getMessage}")
      }
      ext(js) match {
        case Extracted(value) => value
        case failed: Failed => throw new JvmFunctions.LoadError(s"the @Default of $name does not fit its type: $failed")
      }
    }

  private def scalaSymbol(cls: Class[_], method: Method): (ru.Mirror, ru.MethodSymbol) = {
    val mirror = ru.runtimeMirror(cls.getClassLoader)
    val symbol = mirror.classSymbol(cls).toType.member(ru.TermName("run")).alternatives
      .collect { case m: ru.MethodSymbol if m.isPublic && m.paramLists.flatten.size == method.getParameterCount => m }
    symbol match {
      case Seq(one) => (mirror, one)
      case _ => throw new JvmFunctions.LoadError(s"${cls.getName}.run: its Scala signature cannot be read")
    }
  }

  private def scalaNames(cls: Class[_], method: Method): Seq[String] =
    scalaSymbol(cls, method)._2.paramLists.flatten.map(_.name.decodedName.toString)

  private def scalaReaders(cls: Class[_], method: Method): Seq[Option[JsExtractor[Any]]] = {
    val (mirror, symbol) = scalaSymbol(cls, method)
    symbol.paramLists.flatten.zip(method.getParameterTypes).map { case (p, erased) =>
      if (isSpark(erased.getName)) None
      else try Some(Readers.ofScala(p.typeSignature, mirror)) catch {
        case e: UnsupportedType => throw new JvmFunctions.LoadError(s"${cls.getName}.run: parameter ${p.name.decodedName}: ${e.getMessage}")
      }
    }
  }

  /** Scala's default of parameter `index`: the compiler's `run$default$N` method, called once. */
  private def scalaDefault(instance: AnyRef, cls: Class[_], index: Int): Option[Any] =
    cls.getMethods.find(_.getName == s"run$$default$$${index + 1}").map(_.invoke(instance): Any)
}
