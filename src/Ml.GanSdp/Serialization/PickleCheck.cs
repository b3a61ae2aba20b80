using System.Buffers.Binary;

namespace Ml.GanSdp.Serialization;

/// <summary>
/// A structural check of a pickle before libtorch's unpickler sees it: every opcode is known and complete, no
/// opcode pops more than the stack (above the current mark) holds, every memo read refers to a stored slot, and
/// STOP leaves exactly one object. It decodes nothing; it only guarantees the unpickler a well-formed stream.
/// </summary>
internal static class PickleCheck
{
    /// <summary>Throws <see cref="InvalidDataException"/> naming <paramref name="source"/> when the pickle is malformed.</summary>
    public static void Validate(ReadOnlySpan<byte> p, string source)
    {
        var marks = new Stack<int>();
        var memo = new HashSet<long>();
        int depth = 0, i = 0;
        while (true)
        {
            if (i >= p.Length) throw Bad(source, i, "the pickle ends without STOP");
            int at = i;
            byte op = p[i++];
            int floor = marks.Count > 0 ? marks.Peek() : 0;
            void Need(int n)
            {
                if (depth - floor < n) throw Bad(source, at, $"opcode 0x{op:x2} needs {n} stack item(s) but {depth - floor} are available");
            }
            void PopMark()
            {
                if (marks.Count == 0) throw Bad(source, at, $"opcode 0x{op:x2} needs a MARK but there is none");
                depth = marks.Pop();
                floor = marks.Count > 0 ? marks.Peek() : 0;
            }
            switch (op)
            {
                case 0x80: Skip(p, ref i, 1, source, at); break;                                   // PROTO
                case 0x95: Skip(p, ref i, 8, source, at); break;                                   // FRAME
                case (byte)'.':                                                                   // STOP
                    if (marks.Count != 0 || depth != 1) throw Bad(source, at, $"STOP with {depth} object(s) and {marks.Count} open MARK(s) on the stack");
                    return;
                case (byte)'(': marks.Push(depth); break;                                          // MARK
                case (byte)'0': Need(1); depth--; break;                                           // POP
                case (byte)'1': PopMark(); break;                                                  // POP_MARK
                case (byte)'N': case 0x88: case 0x89: case (byte)'}': case (byte)']': case (byte)')': depth++; break;
                case (byte)'K': Skip(p, ref i, 1, source, at); depth++; break;                     // BININT1
                case (byte)'M': Skip(p, ref i, 2, source, at); depth++; break;                     // BININT2
                case (byte)'J': Skip(p, ref i, 4, source, at); depth++; break;                     // BININT
                case (byte)'G': Skip(p, ref i, 8, source, at); depth++; break;                     // BINFLOAT
                case 0x8a: case 0x8c: case (byte)'U': case (byte)'C':                             // LONG1, SHORT_BINUNICODE, SHORT_BINSTRING, SHORT_BINBYTES
                    Skip(p, ref i, Length(p, ref i, 1, source, at), source, at); depth++; break;
                case 0x8b: case (byte)'X': case (byte)'T': case (byte)'B':                        // LONG4, BINUNICODE, BINSTRING, BINBYTES
                    Skip(p, ref i, Length(p, ref i, 4, source, at), source, at); depth++; break;
                case 0x8d: case 0x8e:                                                             // BINUNICODE8, BINBYTES8
                    Skip(p, ref i, Length(p, ref i, 8, source, at), source, at); depth++; break;
                case (byte)'c':                                                                   // GLOBAL module\nname\n
                    Line(p, ref i, source, at); Line(p, ref i, source, at); depth++; break;
                case 0x93: Need(2); depth--; break;                                               // STACK_GLOBAL
                case (byte)'t': case (byte)'l': case (byte)'d': PopMark(); depth++; break;         // TUPLE, LIST, DICT
                case 0x85: Need(1); break;                                                        // TUPLE1
                case 0x86: Need(2); depth -= 1; break;                                            // TUPLE2
                case 0x87: Need(3); depth -= 2; break;                                            // TUPLE3
                case (byte)'a': Need(2); depth--; break;                                          // APPEND
                case (byte)'s': Need(3); depth -= 2; break;                                       // SETITEM
                case (byte)'e': case (byte)'u':                                                   // APPENDS, SETITEMS
                    {
                        int items = depth - floor;
                        PopMark();
                        if (op == (byte)'u' && items % 2 != 0) throw Bad(source, at, "SETITEMS with an odd number of items");
                        Need(1);
                        break;
                    }
                case (byte)'R': case (byte)'b': case 0x81: Need(2); depth--; break;               // REDUCE, BUILD, NEWOBJ
                case (byte)'Q': Need(1); break;                                                   // BINPERSID
                case (byte)'q': Need(1); memo.Add(Length(p, ref i, 1, source, at)); break;        // BINPUT
                case (byte)'r': Need(1); memo.Add(Length(p, ref i, 4, source, at)); break;        // LONG_BINPUT
                case 0x94: Need(1); memo.Add(memo.Count); break;                                  // MEMOIZE
                case (byte)'h': case (byte)'j':                                                   // BINGET, LONG_BINGET
                    {
                        long id = Length(p, ref i, op == (byte)'h' ? 1 : 4, source, at);
                        if (!memo.Contains(id)) throw Bad(source, at, $"memo slot {id} is read before it is written");
                        depth++;
                        break;
                    }
                default: throw Bad(source, at, $"unsupported pickle opcode 0x{op:x2}");
            }
        }
    }

    private static int Length(ReadOnlySpan<byte> p, ref int i, int width, string source, int at)
    {
        if (i + width > p.Length) throw Bad(source, at, "the pickle ends inside an opcode argument");
        var s = p.Slice(i, width);
        long v = width switch
        {
            1 => s[0],
            2 => BinaryPrimitives.ReadUInt16LittleEndian(s),
            4 => BinaryPrimitives.ReadUInt32LittleEndian(s),
            _ => BinaryPrimitives.ReadInt64LittleEndian(s),
        };
        i += width;
        if (v < 0 || v > p.Length) throw Bad(source, at, $"an opcode argument length {v} exceeds the pickle");
        return (int)v;
    }

    private static void Skip(ReadOnlySpan<byte> p, ref int i, int n, string source, int at)
    {
        if (n > p.Length - i) throw Bad(source, at, "the pickle ends inside an opcode argument");
        i += n;
    }

    private static void Line(ReadOnlySpan<byte> p, ref int i, string source, int at)
    {
        int nl = p[i..].IndexOf((byte)'\n');
        if (nl < 0) throw Bad(source, at, "a GLOBAL name is not terminated by a newline");
        i += nl + 1;
    }

    private static InvalidDataException Bad(string source, int offset, string what)
        => new($"{source}: data.pkl is not a well-formed pickle ({what}, at byte {offset}); the file is corrupt.");
}
