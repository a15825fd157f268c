namespace Grid.Engine.Sampling;

/// <summary>
/// Quickselect over parallel key/id arrays: brings the k smallest (key, id) pairs to the front in O(n) on
/// average, so top-k over a 150k vocabulary never sorts the whole vocabulary. Ordering by id after key makes
/// the choice among equal keys deterministic: lower ids win.
/// </summary>
internal static class PartialSelect
{
    public static void Smallest(Span<float> keys, Span<int> ids, int k)
    {
        int lo = 0, hi = keys.Length - 1, target = k - 1;
        while (hi > lo)
        {
            var mid = lo + (hi - lo) / 2;
            if (Less(keys, ids, mid, lo)) Swap(keys, ids, mid, lo);
            if (Less(keys, ids, hi, lo)) Swap(keys, ids, hi, lo);
            if (Less(keys, ids, hi, mid)) Swap(keys, ids, hi, mid);
            var (pk, pi) = (keys[mid], ids[mid]);
            int i = lo, j = hi;
            while (i <= j)
            {
                while (i <= hi && Less(keys[i], ids[i], pk, pi)) i++;
                while (j >= lo && Less(pk, pi, keys[j], ids[j])) j--;
                if (i <= j) Swap(keys, ids, i++, j--);
            }
            if (target <= j) hi = j;
            else if (target >= i) lo = i;
            else return;
        }
    }

    private static bool Less(Span<float> keys, Span<int> ids, int a, int b) => Less(keys[a], ids[a], keys[b], ids[b]);

    private static bool Less(float ka, int ia, float kb, int ib) => ka < kb || (ka == kb && ia < ib);

    private static void Swap(Span<float> keys, Span<int> ids, int a, int b)
    {
        (keys[a], keys[b]) = (keys[b], keys[a]);
        (ids[a], ids[b]) = (ids[b], ids[a]);
    }
}
