using System.Globalization;
using Microsoft.Data.Sqlite;

namespace HddFs.Shares;

/// <summary>
/// The SQLite file: one dedicated writer connection (WAL, synchronous=NORMAL) and pooled reader
/// connections, which WAL lets run beside the writer and see only committed data.
/// Ownership: the writer connection belongs to <see cref="IndexWriter"/> and is used only under
/// ShareIndex's scan lock; reader connections are opened per query and returned to the pool at once.
/// Checkpoints (the only fsyncs under synchronous=NORMAL) are not run by commits
/// (wal_autocheckpoint=0) but by <see cref="RequestCheckpoint"/> on a background task with its own
/// connection, so a scan never waits for the disk to sync.
/// </summary>
internal sealed class IndexDatabase : IDisposable
{
    private readonly string _readerConnectionString;

    // 0 idle, 1 running, 2 running and asked again (run once more when done).
    private int _checkpointState;
    private Task _checkpoint = Task.CompletedTask;

    private IndexDatabase(string path, SqliteConnection writer, string readerConnectionString)
    {
        Path = path;
        Writer = writer;
        _readerConnectionString = readerConnectionString;
    }

    public string Path { get; }

    public SqliteConnection Writer { get; }

    public static IndexDatabase Open(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        var writerConnectionString = new SqliteConnectionStringBuilder
        {
            DataSource = full,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = false,
        }.ToString();
        var readerConnectionString = new SqliteConnectionStringBuilder
        {
            DataSource = full,
            Mode = SqliteOpenMode.ReadWrite,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
        }.ToString();

        var writer = new SqliteConnection(writerConnectionString);
        try
        {
            writer.Open();
            Execute(writer, """
                PRAGMA journal_mode=WAL;
                PRAGMA synchronous=NORMAL;
                PRAGMA temp_store=MEMORY;
                PRAGMA cache_size=-32768;
                PRAGMA wal_autocheckpoint=0;
                """);
            using (var transaction = writer.BeginTransaction())
            {
                Execute(writer, IndexSchema.Create, transaction);
                var version = Scalar(writer, "SELECT value FROM meta WHERE key = 'schema'", transaction);
                if (version is null)
                {
                    Execute(writer, $"INSERT INTO meta(key, value) VALUES('schema', '{IndexSchema.Version}')", transaction);
                }
                else if (version != IndexSchema.Version.ToString(CultureInfo.InvariantCulture))
                {
                    throw new InvalidDataException(
                        $"The share index {full} has schema version {version}; this hddfs reads version {IndexSchema.Version}. Move the file away to rebuild it.");
                }

                transaction.Commit();
            }

            return new IndexDatabase(full, writer, readerConnectionString);
        }
        catch
        {
            writer.Dispose();
            throw;
        }
    }

    /// <summary>A pooled connection for one query; dispose it promptly.</summary>
    public SqliteConnection OpenReader()
    {
        var connection = new SqliteConnection(_readerConnectionString);
        connection.Open();
        return connection;
    }

    /// <summary>Moves committed pages from the WAL into the database file soon, off the caller's
    /// path (PASSIVE: never blocks readers or the writer). Coalesces requests. Thread-safe.</summary>
    public void RequestCheckpoint()
    {
        if (Interlocked.Exchange(ref _checkpointState, 2) != 0)
        {
            return;
        }

        _checkpoint = Task.Run(() =>
        {
            do
            {
                Volatile.Write(ref _checkpointState, 1);
                try
                {
                    using var connection = OpenReader();
                    Execute(connection, "PRAGMA wal_checkpoint(PASSIVE)");
                }
                catch (SqliteException)
                {
                    // Busy or closing: the next request (or the one at dispose) catches up.
                }
            }
            while (Interlocked.CompareExchange(ref _checkpointState, 0, 1) != 1);
        });
    }

    public void Dispose()
    {
        _checkpoint.GetAwaiter().GetResult();
        try
        {
            // Leave a small WAL behind (TRUNCATE resets it), so the next open starts clean.
            Execute(Writer, "PRAGMA wal_checkpoint(TRUNCATE)");
        }
        catch (SqliteException)
        {
        }

        Writer.Dispose();
        using var pooled = new SqliteConnection(_readerConnectionString);
        SqliteConnection.ClearPool(pooled);
    }

    private static void Execute(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static string? Scalar(SqliteConnection connection, string sql, SqliteTransaction? transaction)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command.ExecuteScalar() as string;
    }
}
