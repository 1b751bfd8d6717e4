using System.Text.Json;
using HddFs.Core;

namespace HddFs.Daemon;

/// <summary>
/// The joined topics, persisted in <c>DATA_DIR/topics.json</c> (mode 0600: a topic name is a
/// secret). Thread-safe. Writes go to a temporary file renamed into place, so a crash never leaves a
/// half-written list. A file that cannot be parsed is an error, not silently emptied.
/// </summary>
public sealed class TopicStore
{
    private const int MaxTopics = 16; // a hello proves at most 16 topics

    private readonly string _path;
    private readonly Lock _lock = new();
    private List<TopicKey> _topics;

    private TopicStore(string path, List<TopicKey> topics)
    {
        _path = path;
        _topics = topics;
    }

    public IReadOnlyList<TopicKey> Topics
    {
        get
        {
            lock (_lock)
            {
                return [.. _topics];
            }
        }
    }

    public static TopicStore Open(string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, "topics.json");
        var topics = new List<TopicKey>();
        if (File.Exists(path))
        {
            string[]? names;
            try
            {
                names = JsonSerializer.Deserialize<string[]>(File.ReadAllText(path));
            }
            catch (JsonException ex)
            {
                throw new InvalidDataException($"{path} is not a JSON list of topic names ({ex.Message}). Fix or remove it.", ex);
            }

            foreach (var name in names ?? [])
            {
                if (!string.IsNullOrWhiteSpace(name) && topics.All(t => t.Name != name))
                {
                    topics.Add(TopicKey.FromName(name));
                }
            }
        }

        return new TopicStore(path, topics);
    }

    /// <summary>Adds a topic (no-op when already joined). Returns it.</summary>
    public TopicKey Join(string name)
    {
        var key = TopicKey.FromName(name);
        lock (_lock)
        {
            if (_topics.Any(t => t.Name == name))
            {
                return _topics.First(t => t.Name == name);
            }

            if (_topics.Count >= MaxTopics)
            {
                throw new InvalidOperationException($"At most {MaxTopics} topics can be joined at once.");
            }

            _topics = [.. _topics, key];
            SaveLocked();
        }

        return key;
    }

    /// <summary>Removes a topic; false when it was not joined.</summary>
    public bool Leave(string name)
    {
        lock (_lock)
        {
            var remaining = _topics.Where(t => t.Name != name).ToList();
            if (remaining.Count == _topics.Count)
            {
                return false;
            }

            _topics = remaining;
            SaveLocked();
            return true;
        }
    }

    private void SaveLocked()
    {
        var temp = _path + ".tmp";
        var options = new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        };
        using (var stream = new FileStream(temp, options))
        {
            JsonSerializer.Serialize(stream, _topics.Select(t => t.Name).ToArray());
        }

        File.Move(temp, _path, overwrite: true);
    }
}
