package haze.runtime

import java.net.URI
import java.net.http.{HttpClient, HttpRequest, HttpResponse}
import java.nio.file.{Files, Path, Paths, StandardCopyOption}
import java.security.MessageDigest
import java.time.Duration
import java.util.concurrent.ConcurrentHashMap

/** Artifacts on the worker's disk, `<cache>/<sha1>/<name>`, fetched from the master once, as the
  * Python worker keeps them (the directory is shared by every worker of the machine): a file
  * appears there only complete and verified — downloaded to a temporary file beside it, its
  * SHA-1 checked, then renamed into place. Within this worker a lock per SHA-1 keeps two jobs
  * from downloading the same file at once. Downloads carry the worker's credential
  * (`HAZE_WORKER_CREDENTIAL`) as a bearer token. */
final class ArtifactCache(directory: String, masterUrl: String, client: HttpClient, credential: Option[String]) {
  private val root = Paths.get(directory).toAbsolutePath
  private val locks = new ConcurrentHashMap[String, Object]()

  /** The local path of the artifact; `onDownload()` is called only when it must be downloaded. */
  def fetch(name: String, sha1: String, url: String, onDownload: () => Unit): Path = {
    if (Set("", ".", "..").contains(name) || name.exists(c => c == '/' || c == '\\' || c == '\u0000'))
      throw new ArtifactCache.ArtifactError(s"invalid artifact name $name")
    val path = root.resolve(sha1).resolve(name)
    locks.computeIfAbsent(sha1, _ => new Object).synchronized {
      if (!Files.isRegularFile(path)) {
        onDownload()
        download(URI.create(masterUrl).resolve(url), sha1, path)
      }
    }
    path
  }

  private def download(uri: URI, sha1: String, path: Path): Unit = {
    Files.createDirectories(path.getParent)
    val temporary = Files.createTempFile(path.getParent, ".download-", "")
    try {
      val request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)).GET()
      credential.foreach(c => request.header("Authorization", s"Bearer $c"))
      val response = try client.send(request.build(), HttpResponse.BodyHandlers.ofFile(temporary))
        catch { case e: java.io.IOException => throw new ArtifactCache.ArtifactError(s"cannot download ${path.getFileName} from $uri: $e", e) }
      if (response.statusCode != 200)
        throw new ArtifactCache.ArtifactError(s"cannot download ${path.getFileName} from $uri: HTTP ${response.statusCode}")
      val digest = MessageDigest.getInstance("SHA-1")
      val in = Files.newInputStream(temporary)
      try {
        val buffer = new Array[Byte](1 << 16)
        Iterator.continually(in.read(buffer)).takeWhile(_ >= 0).foreach(n => digest.update(buffer, 0, n))
      } finally in.close()
      val actual = digest.digest().map(b => f"${b & 0xff}%02x").mkString
      if (actual != sha1) throw new ArtifactCache.ArtifactError(s"the downloaded ${path.getFileName} has SHA-1 $actual, expected $sha1")
      Files.move(temporary, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING)
    } finally Files.deleteIfExists(temporary)
  }
}

object ArtifactCache {
  /** The artifact cannot be had; the message is shown to the user as is. */
  final class ArtifactError(message: String, cause: Throwable = null) extends Exception(message, cause)
}
