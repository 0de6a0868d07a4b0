package haze.runtime

import mist.api._
import mist.api.data._
import java.io.File
import java.net.URLClassLoader
import java.util.concurrent.ConcurrentHashMap

/** Loads functions from artifact jars: each jar in a class loader of its own, kept per SHA-1 (an
  * artifact version never changes), whose parent holds Haze's library, so `mist.api` is shared. */
object JvmFunctions {
  private val loaders = new ConcurrentHashMap[String, URLClassLoader]()

  final class LoadError(message: String, cause: Throwable = null) extends Exception(message, cause)

  def loader(jarPath: String, key: String): ClassLoader =
    loaders.computeIfAbsent(key, _ => new URLClassLoader(Array(new File(jarPath).toURI.toURL), getClass.getClassLoader))

  /** The function object `className` names: a Scala object (`Name$` or `Name`) or a class with a no-arg constructor. */
  def load(loader: ClassLoader, className: String, jarName: String): (MistFn, Class[_]) = {
    val cls = try Class.forName(className, true, loader) catch {
      case _: ClassNotFoundException if !className.endsWith("$") =>
        try Class.forName(className + "$", true, loader) catch {
          case _: ClassNotFoundException => throw new LoadError(s"class $className not found in $jarName")
        }
      case _: ClassNotFoundException => throw new LoadError(s"class $className not found in $jarName")
      case e: LinkageError =>
        throw new LoadError(s"class $className in $jarName cannot be loaded: $e; check your artifact or the Haze library version it was built with", e)
    }
    // A Scala object's companion class (`Name`) only forwards to the object (`Name$`).
    val companion = if (isFunction(cls) || className.endsWith("$")) None
      else try Some(Class.forName(className + "$", true, loader)) catch { case _: ClassNotFoundException => None }
    companion.filter(isFunction).foreach(c => return load(loader, c.getName, jarName))
    if (!isFunction(cls)) {
      throw new LoadError(s"class ${cls.getName} in $jarName is not a function: it does not extend mist.api.MistFn (Mist's API) nor implement haze.api.HazeFunction (Haze's)")
    }
    val instance = try {
      val module = cls.getFields.find(_.getName == "MODULE$")
      module match {
        case Some(field) => field.get(null)
        case None =>
          val constructor = cls.getDeclaredConstructor()
          constructor.setAccessible(true)
          constructor.newInstance()
      }
    } catch {
      case e: NoSuchMethodException => throw new LoadError(s"class ${cls.getName} in $jarName has no constructor without arguments", e)
      case e: java.lang.reflect.InvocationTargetException =>
        throw new LoadError(s"creating ${cls.getName} failed: ${e.getCause}", e.getCause)
    }
    instance match {
      case fn: MistFn => (fn, cls)
      case typed => (TypedFunctions.adapt(typed.asInstanceOf[AnyRef], cls, language(cls) == "scala"), cls)
    }
  }

  private def isFunction(cls: Class[_]): Boolean =
    classOf[MistFn].isAssignableFrom(cls) || classOf[haze.api.HazeFunction].isAssignableFrom(cls)

  /** `scala` when the class was compiled from a .scala file (its SourceFile attribute), else `java`, as Mist decides. */
  def language(cls: Class[_]): String = {
    val in = cls.getClassLoader.getResourceAsStream(cls.getName.replace('.', '/') + ".class")
    if (in == null) "java"
    else try {
      if (ClassFiles.sourceFile(new java.io.DataInputStream(new java.io.BufferedInputStream(in))).exists(_.endsWith(".scala"))) "scala" else "java"
    } finally in.close()
  }

  /** A function's signature as the master stores it, in Mist's encoding. */
  def describe(fn: MistFn, cls: Class[_]): JsMap = {
    val infos = fn.handle.describe()
    val execute = infos.collect { case UserInputArgument(name, t) => name -> t.toJs }
    val tags = infos.collect { case InternalArgument(t) => t }.flatten.distinct
    val defaults = infos.collect { case ArgDefault(name, value) => name -> value }
    val rules = infos.collect { case ArgRule(name) => name }.distinct
    val kind =
      if (tags.contains(ArgInfo.StreamingContextTag)) "streaming_context"
      else if (tags.contains(ArgInfo.HiveContextTag)) "hive_session"
      else if (tags.contains(ArgInfo.SqlContextTag)) "spark_session"
      else "spark_context"
    JsMap(
      "ok" -> JsTrue,
      "lang" -> JsString(language(cls)),
      "execute" -> JsMap(execute: _*),
      "tags" -> JsList(tags.map(JsString(_))),
      "contextKind" -> JsString(kind),
      "defaults" -> JsMap(defaults: _*),
    ) match {
      // Only then does the master ask a JVM to check a job's arguments before the job exists.
      case info if rules.nonEmpty => JsMap((info.map.toSeq :+ ("rules" -> JsList(rules.map(JsString(_))))): _*)
      case info => info
    }
  }

  /** Mist's validation of the arguments (types, defaults, `validated` rules): the failure as text, or None. */
  def validate(fn: MistFn, params: JsMap): Option[String] = fn.handle.validate(params) match {
    case failed: Failed => Some(failed.toString)
    case _ => None
  }

  /** A throwable as `Class: message` and the user's own frames: the stack stops where Haze
    * called the function, and frames of Spark, Scala and the JDK in between are left out (their
    * number is said), so a failed job shows the user's code, not a wall of frames. */
  def failed(error: Throwable): JobRunner.Failure = {
    val root = error match {
      case e: java.lang.reflect.InvocationTargetException if e.getCause != null => e.getCause
      case e => e
    }
    val trace = new StringBuilder
    var current = root
    var first = true
    val seen = new java.util.IdentityHashMap[Throwable, Unit]()
    while (current != null && !seen.containsKey(current)) {
      seen.put(current, ())
      trace.append(if (first) "" else "Caused by: ").append(current.toString).append('\n')
      var omitted = 0
      def flush(): Unit = if (omitted > 0) {
        trace.append(s"\t... $omitted frames of Spark, Scala and the JDK\n")
        omitted = 0
      }
      current.getStackTrace.takeWhile(f => !HazeFrames.exists(f.getClassName.startsWith)).foreach { frame =>
        if (FrameworkFrames.exists(frame.getClassName.startsWith)) omitted += 1
        else { flush(); trace.append("\tat ").append(frame).append('\n') }
      }
      flush()
      first = false
      current = current.getCause
    }
    val message = root match {
      case e: LoadError => e.getMessage
      case e: ResultWriter.ResultError => e.getMessage
      case e => e.toString
    }
    JobRunner.Failure(message, trace.toString)
  }

  /** The same, as the info extractor answers it. */
  def failure(error: Throwable): JsMap = {
    val failure = failed(error)
    JsMap("ok" -> JsFalse, "error" -> JsString(failure.message), "traceback" -> JsString(failure.traceback))
  }

  /** Where Haze calls the function: frames from here down are Haze's, never the user's. */
  private val HazeFrames = Seq("haze.runtime.", "mist.api.", "jdk.internal.reflect.", "java.lang.reflect.")
  private val FrameworkFrames = Seq("org.apache.spark.", "scala.", "java.", "javax.", "jdk.", "sun.", "org.apache.hadoop.")
}
