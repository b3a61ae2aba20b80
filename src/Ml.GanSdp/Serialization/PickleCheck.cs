using System.Buffers.Binary;

namespace Ml.GanSdp.Serialization;

/// <summary>
/// A structural pass over a protocol-2 pickle before libtorch's unpickler sees it. It guarantees the unpickler a
/// well-formed stream: every opcode is known and complete, no opcode pops more than the stack (above the current
/// MARK) holds, every memo read refers to a written slot, and STOP leaves exactly one object. It also rewrites the
/// two opcodes libtorch 1.13 cannot read, SETITEM (a dict with one entry) and APPEND (a list with one item), into
/// their MARK-based forms SETITEMS and APPENDS, which build the same objects.
/// </summary>
internal static class PickleCheck
{
    private const byte Mark = (byte)'(';

    /// <summary>
    /// Checks <paramref name="p"/> and returns it, or a rewritten copy when it holds SETITEM or APPEND.
    /// Throws <see cref="InvalidDataException"/> naming <paramref name="source"/> when the pickle is malformed.
    /// </summary>
    public static byte[] Validate(byte[] p, string source)
    {
        var stack = new List<int>();                 // for each stack item: the offset where the code building it starts
        var marks = new Stack<(int Depth, int Offset)>();
        var memo = new HashSet<long>();
        var inserts = new List<int>();               // offsets that receive a MARK
        var replaces = new Dictionary<int, byte>();  // opcode offsets that change (s -> u, a -> e)
        int i = 0;
        while (true)
        {
            if (i >= p.Length) throw Bad(source, i, "the pickle ends without STOP");
            int at = i;
            byte op = p[i++];
            void Need(int n)
            {
                int floor = marks.Count > 0 ? marks.Peek().Depth : 0;
                if (stack.Count - floor < n) throw Bad(source, at, $"opcode 0x{op:x2} needs {n} stack item(s) but {stack.Count - floor} are available");
            }
            // Pops n items and pushes one whose code starts where the deepest popped item's code starts.
            void Combine(int n)
            {
                Need(n);
                int start = stack[^n];
                stack.RemoveRange(stack.Count - n, n);
                stack.Add(start);
            }
            int PopToMark()
            {
                if (marks.Count == 0) throw Bad(source, at, $"opcode 0x{op:x2} needs a MARK but there is none");
                var (depth, offset) = marks.Pop();
                stack.RemoveRange(depth, stack.Count - depth);
                return offset;
            }
            switch (op)
            {
                case 0x80:                                                                         // PROTO
                    Skip(p, ref i, 1, source, at);
                    if (p[at + 1] != 2) throw Bad(source, at, $"pickle protocol {p[at + 1]}; only protocol 2 (torch.save's default) is supported");
                    break;
                case (byte)'.':                                                                   // STOP
                    if (marks.Count != 0 || stack.Count != 1) throw Bad(source, at, $"STOP with {stack.Count} object(s) and {marks.Count} open MARK(s) on the stack");
                    return inserts.Count == 0 && replaces.Count == 0 ? p : Rewrite(p, at + 1, inserts, replaces);
                case Mark: marks.Push((stack.Count, at)); break;
                case (byte)'0': Need(1); stack.RemoveAt(stack.Count - 1); break;                  // POP
                case (byte)'1': PopToMark(); break;                                               // POP_MARK
                case (byte)'N': case 0x88: case 0x89: case (byte)'}': case (byte)']': case (byte)')': stack.Add(at); break;
                case (byte)'K': Skip(p, ref i, 1, source, at); stack.Add(at); break;              // BININT1
                case (byte)'M': Skip(p, ref i, 2, source, at); stack.Add(at); break;              // BININT2
                case (byte)'J': Skip(p, ref i, 4, source, at); stack.Add(at); break;              // BININT
                case (byte)'G': Skip(p, ref i, 8, source, at); stack.Add(at); break;              // BINFLOAT
                case 0x8a: case (byte)'U':                                                        // LONG1, SHORT_BINSTRING
                    Skip(p, ref i, Length(p, ref i, 1, source, at), source, at); stack.Add(at); break;
                case (byte)'X': case (byte)'T':                                                   // BINUNICODE, BINSTRING
                    Skip(p, ref i, Length(p, ref i, 4, source, at), source, at); stack.Add(at); break;
                case (byte)'c':                                                                   // GLOBAL module\nname\n
                    Line(p, ref i, source, at); Line(p, ref i, source, at); stack.Add(at); break;
                case (byte)'t': case (byte)'l': case (byte)'d': stack.Add(PopToMark()); break;    // TUPLE, LIST, DICT
                case 0x85: Combine(1); break;                                                     // TUPLE1
                case 0x86: Combine(2); break;                                                     // TUPLE2
                case 0x87: Combine(3); break;                                                     // TUPLE3
                case (byte)'R': case (byte)'b': case 0x81: Combine(2); break;                     // REDUCE, BUILD, NEWOBJ
                case (byte)'e': PopToMark(); Need(1); break;                                      // APPENDS
                case (byte)'u':                                                                   // SETITEMS
                    {
                        int items = stack.Count - (marks.Count > 0 ? marks.Peek().Depth : 0);
                        PopToMark();
                        if (items % 2 != 0) throw Bad(source, at, "SETITEMS with an odd number of items");
                        Need(1);
                        break;
                    }
                case (byte)'s':                                                                   // SETITEM -> MARK key value SETITEMS
                    Need(3);
                    inserts.Add(stack[^2]);
                    replaces[at] = (byte)'u';
                    stack.RemoveRange(stack.Count - 2, 2);
                    break;
                case (byte)'a':                                                                   // APPEND -> MARK item APPENDS
                    Need(2);
                    inserts.Add(stack[^1]);
                    replaces[at] = (byte)'e';
                    stack.RemoveAt(stack.Count - 1);
                    break;
                case (byte)'Q': Need(1); break;                                                   // BINPERSID
                case (byte)'q': Need(1); memo.Add(Length(p, ref i, 1, source, at)); break;        // BINPUT
                case (byte)'r': Need(1); memo.Add(Length(p, ref i, 4, source, at)); break;        // LONG_BINPUT
                case (byte)'h': case (byte)'j':                                                   // BINGET, LONG_BINGET
                    {
                        long id = Length(p, ref i, op == (byte)'h' ? 1 : 4, source, at);
                        if (!memo.Contains(id)) throw Bad(source, at, $"memo slot {id} is read before it is written");
                        stack.Add(at);
                        break;
                    }
                default: throw Bad(source, at, $"unsupported pickle opcode 0x{op:x2}");
            }
        }
    }

    /// <summary>Copies p[..end] with a MARK before each offset in <paramref name="inserts"/> and the replaced opcodes.</summary>
    private static byte[] Rewrite(byte[] p, int end, List<int> inserts, Dictionary<int, byte> replaces)
    {
        inserts.Sort();
        var result = new byte[end + inserts.Count];
        int k = 0, o = 0;
        for (int j = 0; j < end; j++)
        {
            while (k < inserts.Count && inserts[k] == j) { result[o++] = Mark; k++; }
            result[o++] = replaces.TryGetValue(j, out var b) ? b : p[j];
        }
        return result;
    }

    private static int Length(byte[] p, ref int i, int width, string source, int at)
    {
        if (i + width > p.Length) throw Bad(source, at, "the pickle ends inside an opcode argument");
        var s = p.AsSpan(i, width);
        long v = width == 1 ? s[0] : BinaryPrimitives.ReadUInt32LittleEndian(s);
        i += width;
        if (v > p.Length) throw Bad(source, at, $"an opcode argument length {v} exceeds the pickle");
        return (int)v;
    }

    private static void Skip(byte[] p, ref int i, int n, string source, int at)
    {
        if (n > p.Length - i) throw Bad(source, at, "the pickle ends inside an opcode argument");
        i += n;
    }

    private static void Line(byte[] p, ref int i, string source, int at)
    {
        int nl = p.AsSpan(i).IndexOf((byte)'\n');
        if (nl < 0) throw Bad(source, at, "a GLOBAL name is not terminated by a newline");
        i += nl + 1;
    }

    private static InvalidDataException Bad(string source, int offset, string what)
        => new($"{source}: data.pkl is not a well-formed pickle ({what}, at byte {offset}).");
}
