using System.CommandLine;
using System.Text.Json;
using HddFs.Daemon.Control;

namespace HddFs.Cli.Commands;

/// <summary>`hddfs topics [join NAME | leave NAME]`.</summary>
internal static class TopicsCommand
{
    public static Command Create()
    {
        var command = new Command("topics", "List, join or leave topics of the running daemon.");
        command.Options.Add(CommonOptions.Json);
        command.SetAction((result, ct) => CliErrors.RunAsync(async () =>
        {
            using var client = CommonOptions.Connect(result);
            var topics = await client.GetTopicsAsync(ct);
            if (result.GetValue(CommonOptions.Json))
            {
                Console.WriteLine(JsonSerializer.Serialize(topics, ControlJson.Default.TopicInfoArray));
                return 0;
            }

            foreach (var t in topics)
            {
                Console.WriteLine($"{t.Name,-24} {t.RendezvousId}");
            }

            return 0;
        }));

        var joinName = new Argument<string>("NAME") { Description = "Topic name." };
        var join = new Command("join", "Join a topic (persisted in the data directory).");
        join.Arguments.Add(joinName);
        join.SetAction((result, ct) => CliErrors.RunAsync(async () =>
        {
            using var client = CommonOptions.Connect(result);
            var topic = await client.JoinTopicAsync(result.GetValue(joinName)!, ct);
            Console.WriteLine($"joined {topic.Name}");
            return 0;
        }));

        var leaveName = new Argument<string>("NAME") { Description = "Topic name." };
        var leave = new Command("leave", "Leave a topic.");
        leave.Arguments.Add(leaveName);
        leave.SetAction((result, ct) => CliErrors.RunAsync(async () =>
        {
            using var client = CommonOptions.Connect(result);
            await client.LeaveTopicAsync(result.GetValue(leaveName)!, ct);
            Console.WriteLine($"left {result.GetValue(leaveName)}");
            return 0;
        }));

        command.Subcommands.Add(join);
        command.Subcommands.Add(leave);
        return command;
    }
}
