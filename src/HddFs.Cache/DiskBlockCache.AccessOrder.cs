namespace HddFs.Cache;

// LOCK ORDER: _saveLock → _lock. _lock is held only to snapshot the order; the file is written under
// _saveLock alone, which serialises the timer's saves with the final one in Dispose.

public sealed partial class DiskBlockCache
{
    /// <summary>
    /// Saves the LRU order (see <see cref="AccessOrderFile"/>). Called by the timer every
    /// <see cref="AccessOrderSaveInterval"/> (only if it changed) and by <see cref="Dispose"/>
    /// (<paramref name="close"/>: the last save; later timer ticks do nothing).
    /// </summary>
    private void SaveAccessOrder(bool onlyIfChanged, bool close)
    {
        lock (_saveLock)
        {
            if (_orderClosed)
            {
                return;
            }

            _orderClosed = close;
            UInt128[] names;
            lock (_lock)
            {
                if (onlyIfChanged && !_orderChanged)
                {
                    return;
                }

                names = new UInt128[_lru.Count];
                var i = 0;
                for (var e = _lru.Oldest; e is not null; e = e.Newer)
                {
                    names[i++] = e.Name;
                }

                _orderChanged = false;
            }

            try
            {
                AccessOrderFile.Save(_layout.AccessOrder, names);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                Log.AccessOrderSaveFailed(_logger, _layout.AccessOrder, ex);
                lock (_lock)
                {
                    _orderChanged = true;
                }
            }
        }
    }
}
