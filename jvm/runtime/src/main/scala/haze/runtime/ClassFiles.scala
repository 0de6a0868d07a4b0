package haze.runtime

import java.io.DataInputStream

/** Reads what Haze needs from a class file without loading it (JVMS §4). */
object ClassFiles {
  /** The SourceFile attribute (`PiExample.scala`, `JavaPi.java`), if the compiler wrote one. */
  def sourceFile(in: DataInputStream): Option[String] = {
    if (in.readInt() != 0xCAFEBABE) return None
    in.readUnsignedShort(); in.readUnsignedShort() // minor, major version
    val count = in.readUnsignedShort()
    val utf8 = new Array[String](count)
    var i = 1
    while (i < count) {
      in.readUnsignedByte() match {
        case 1 => utf8(i) = in.readUTF()
        case 3 | 4 | 9 | 10 | 11 | 12 | 17 | 18 => in.skipNBytes(4)
        case 5 | 6 => in.skipNBytes(8); i += 1 // longs and doubles take two slots
        case 7 | 8 | 16 | 19 | 20 => in.skipNBytes(2)
        case 15 => in.skipNBytes(3)
        case _ => return None
      }
      i += 1
    }
    in.skipNBytes(6) // access flags, this class, super class
    in.skipNBytes(2L * in.readUnsignedShort()) // interfaces
    def skipMembers(): Unit = (0 until in.readUnsignedShort()).foreach { _ => in.skipNBytes(6); skipAttributes() }
    def skipAttributes(): Unit = (0 until in.readUnsignedShort()).foreach { _ => in.skipNBytes(2); in.skipNBytes(in.readInt() & 0xFFFFFFFFL) }
    skipMembers() // fields
    skipMembers() // methods
    (0 until in.readUnsignedShort()).iterator.map { _ =>
      val name = utf8(in.readUnsignedShort())
      val length = in.readInt()
      if (name == "SourceFile") Some(utf8(in.readUnsignedShort()))
      else { in.skipNBytes(length & 0xFFFFFFFFL); None }
    }.collectFirst { case Some(file) => file }
  }
}
