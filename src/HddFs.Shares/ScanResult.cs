namespace HddFs.Shares;

/// <summary>What one scan did.</summary>
/// <param name="DirectoriesChecked">Directories stat'ed to see whether they changed.</param>
/// <param name="DirectoriesListed">Directories read (getdents + a stat per entry).</param>
/// <param name="Changes">Paths reported in <see cref="ShareIndex.Changed"/> for this scan.</param>
/// <param name="EntriesSkipped">Entries left out (unreadable, special files, symlinks by policy…).</param>
/// <param name="Elapsed">Wall time.</param>
public readonly record struct ScanResult(int DirectoriesChecked, int DirectoriesListed, int Changes, int EntriesSkipped, TimeSpan Elapsed);
