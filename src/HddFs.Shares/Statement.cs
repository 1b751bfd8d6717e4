using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace HddFs.Shares;

/// <summary>
/// A prepared SQLite statement driven through SQLitePCL's raw API. The writer uses these instead of
/// SqliteCommand on its hot path: binding and stepping directly is about 2–3× faster per row
/// (measured: 100k inserts in ~120 ms vs ~350 ms). Owned by one connection and used by one thread
/// at a time; reset after every execution so it never holds a read transaction open.
/// </summary>
internal sealed class Statement : IDisposable
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _stmt;

    public Statement(sqlite3 db, string sql)
    {
        _db = db;
        Check(raw.sqlite3_prepare_v2(db, sql, out _stmt));
    }

    public Statement Bind(int index, long value)
    {
        Check(raw.sqlite3_bind_int64(_stmt, index, value));
        return this;
    }

    /// <summary>Binds text (null → SQL NULL). UTF-16 is handed to SQLite as is; it converts in C.</summary>
    public Statement Bind(int index, string? value)
    {
        Check(value is null ? raw.sqlite3_bind_null(_stmt, index) : raw.sqlite3_bind_text16(_stmt, index, value.AsSpan()));
        return this;
    }

    /// <summary>Runs a statement that returns no rows; returns the number of rows changed.</summary>
    public int Execute()
    {
        try
        {
            var rc = raw.sqlite3_step(_stmt);
            if (rc != raw.SQLITE_DONE)
            {
                Check(rc == raw.SQLITE_ROW ? raw.SQLITE_MISUSE : rc);
            }

            return raw.sqlite3_changes(_db);
        }
        finally
        {
            _ = raw.sqlite3_reset(_stmt);
        }
    }

    /// <summary>Steps to the next row; false (and reset) at the end.</summary>
    public bool Read()
    {
        var rc = raw.sqlite3_step(_stmt);
        if (rc == raw.SQLITE_ROW)
        {
            return true;
        }

        try
        {
            Check(rc == raw.SQLITE_DONE ? raw.SQLITE_OK : rc);
            return false;
        }
        finally
        {
            _ = raw.sqlite3_reset(_stmt);
        }
    }

    /// <summary>Abandons a partly read result.</summary>
    public void Reset() => raw.sqlite3_reset(_stmt);

    public long Int64(int column) => raw.sqlite3_column_int64(_stmt, column);

    public string Text(int column) => raw.sqlite3_column_text(_stmt, column).utf8_to_string() ?? string.Empty;

    public bool IsNull(int column) => raw.sqlite3_column_type(_stmt, column) == raw.SQLITE_NULL;

    public void Dispose() => _stmt.Dispose();

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK)
        {
            SqliteException.ThrowExceptionForRC(rc, _db);
        }
    }
}
