import java.io.{BufferedReader, InputStreamReader, OutputStreamWriter, PrintWriter}
import java.net.Socket
import java.nio.charset.StandardCharsets.UTF_8
import org.apache.spark.sql.SparkSession

/**
 * The JVM benchmark's warm baseline (bench/jvm.ts): a plain Spark driver started by spark-submit
 * (`--class HazeBenchBaseline`), no Haze in it, that times calls of the very functions the
 * benchmark runs through Haze (`Noop.run()`, `SumMillion.run(sc)`), each call alone, with
 * System.nanoTime. It speaks bench/functions/baseline_runner.py's protocol over a TCP connection
 * to the benchmark on 127.0.0.1:<port>: `{"ready": …}`, then `{"function", "runs"}` →
 * `{"function", "seconds": […], "result"}`, until the benchmark closes the connection.
 */
object HazeBenchBaseline {
  private val Command = """.*"function"\s*:\s*"(\w+)".*"runs"\s*:\s*(\d+).*""".r

  def main(args: Array[String]): Unit = {
    val spark = SparkSession.builder().getOrCreate()
    val socket = new Socket("127.0.0.1", args(0).toInt)
    val in = new BufferedReader(new InputStreamReader(socket.getInputStream, UTF_8))
    val out = new PrintWriter(new OutputStreamWriter(socket.getOutputStream, UTF_8), true)
    val functions: Map[String, () => Any] = Map("noop" -> (() => Noop.run()), "sum" -> (() => SumMillion.run(spark.sparkContext)))
    out.println(s"""{"ready": true, "sparkVersion": "${spark.version}", "python": "none (Java ${System.getProperty("java.version")})"}""")
    try Iterator.continually(in.readLine()).takeWhile(_ != null).foreach {
      case Command(name, runs) if functions.contains(name) =>
        val fn = functions(name)
        val seconds = new Array[Double](runs.toInt)
        var result: Any = null
        for (i <- seconds.indices) {
          val started = System.nanoTime()
          result = fn()
          seconds(i) = (System.nanoTime() - started) / 1e9
        }
        out.println(s"""{"function": "$name", "seconds": [${seconds.mkString(",")}], "result": $result}""")
      case line => out.println(s"""{"error": "unknown command (functions: ${functions.keys.mkString(", ")})"}""")
    } finally {
      socket.close()
      spark.stop()
    }
  }
}
