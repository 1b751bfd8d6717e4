namespace HddFs.Core;

/// <summary>
/// Human-friendly names derived from a key: "adjective-animal", picked by the first two bytes of the
/// key (our own word lists of 256 words each). Only for display; two keys can share a name, so the
/// name is shown with <see cref="PeerId.Fingerprint"/> wherever it matters and is never trusted.
/// </summary>
public static class PeerName
{
    private static readonly string[] Adjectives =
    [
        "able", "agile", "airy", "alert", "amber", "ample", "apt", "arctic", "ardent", "ashen", "astute",
        "azure", "balmy", "bold", "brave", "breezy", "bright", "brisk", "bronze", "bubbly", "busy", "calm",
        "candid", "carefree", "cheery", "chic", "chilly", "civic", "classy", "clever", "cloudy", "coastal",
        "cobalt", "cosmic", "cozy", "crafty", "crimson", "crisp", "curious", "daring", "dapper", "dawn",
        "deft", "devout", "dewy", "dizzy", "dreamy", "dusky", "dusty", "eager", "early", "earnest", "easy",
        "elated", "elegant", "ember", "epic", "even", "exact", "fabled", "fair", "faithful", "fancy",
        "fearless", "feisty", "festive", "fierce", "fiery", "firm", "fleet", "fluffy", "flying", "fond",
        "frank", "free", "fresh", "frosty", "frugal", "funny", "fuzzy", "gallant", "gentle", "giddy",
        "gifted", "gilded", "glad", "gleaming", "glossy", "golden", "graceful", "grand", "grateful", "green",
        "grumpy", "handy", "happy", "hardy", "hasty", "hazel", "hearty", "helpful", "heroic", "hidden",
        "hollow", "honest", "hopeful", "humble", "icy", "ideal", "idle", "indigo", "inky", "ivory", "jade",
        "jaunty", "jazzy", "jolly", "jovial", "joyful", "keen", "kind", "kindly", "lanky", "lavish", "lemon",
        "level", "light", "limber", "lively", "lofty", "loyal", "lucid", "lucky", "lunar", "lush", "lyric",
        "magic", "major", "mellow", "merry", "mighty", "mild", "minty", "misty", "modest", "mossy", "nimble",
        "noble", "nomad", "novel", "oaken", "ocean", "olive", "opal", "orange", "orchid", "patient",
        "peachy", "pearly", "perky", "placid", "plucky", "plush", "polar", "polite", "proud", "prudent",
        "quaint", "quick", "quiet", "quirky", "radiant", "rapid", "rare", "rosy", "royal", "ruby", "rugged",
        "rustic", "rusty", "sandy", "sassy", "scarlet", "serene", "shady", "sharp", "shiny", "silent",
        "silky", "silver", "simple", "sleek", "sleepy", "slim", "smooth", "snappy", "snowy", "solar",
        "solid", "sonic", "spicy", "spry", "stable", "stark", "steady", "stellar", "stoic", "stormy",
        "sturdy", "sunny", "super", "swift", "tidy", "timely", "tiny", "topaz", "tranquil", "tropic", "true",
        "trusty", "twilight", "upbeat", "urban", "valiant", "velvet", "vivid", "wacky", "wandering", "warm",
        "wary", "wavy", "wild", "windy", "wise", "witty", "woody", "worthy", "young", "zany", "zealous",
        "zesty", "zippy", "breezing", "glowing", "humming", "roving", "singing", "spinning", "whistling",
        "dancing", "drifting", "floating", "gliding", "jumping", "laughing", "leaping",
    ];

    private static readonly string[] Animals =
    [
        "aardvark", "albatross", "alpaca", "anchovy", "anteater", "antelope", "armadillo", "axolotl",
        "baboon", "badger", "barracuda", "bat", "beagle", "bear", "beaver", "bee", "beetle", "bison",
        "blackbird", "boar", "bobcat", "buffalo", "bullfrog", "bumblebee", "butterfly", "buzzard", "camel",
        "canary", "capybara", "caribou", "carp", "cat", "catfish", "chameleon", "cheetah", "chicken",
        "chinchilla", "chipmunk", "cicada", "clam", "cobra", "cockatoo", "cod", "condor", "corgi", "cougar",
        "cow", "coyote", "crab", "crane", "crayfish", "cricket", "crocodile", "crow", "cuckoo", "curlew",
        "deer", "dingo", "dodo", "dolphin", "donkey", "dove", "dragonfly", "duck", "dugong", "eagle", "eel",
        "egret", "eland", "elephant", "elk", "emu", "falcon", "ferret", "finch", "firefly", "flamingo",
        "flounder", "fox", "frog", "gazelle", "gecko", "gerbil", "gibbon", "giraffe", "gnu", "goat",
        "goldfish", "goose", "gopher", "gorilla", "grasshopper", "grouse", "gull", "hamster", "hare", "hawk",
        "hedgehog", "heron", "herring", "hippo", "hornet", "horse", "hound", "hummingbird", "hyena", "ibex",
        "ibis", "iguana", "impala", "jackal", "jaguar", "jay", "jellyfish", "kangaroo", "kestrel",
        "kingfisher", "kiwi", "koala", "koi", "kookaburra", "krill", "ladybug", "lamb", "lark", "lemming",
        "lemur", "leopard", "lion", "lizard", "llama", "lobster", "locust", "loon", "lynx", "macaw",
        "magpie", "mallard", "mammoth", "manatee", "mandrill", "mantis", "marmot", "marten", "meerkat",
        "mink", "minnow", "mole", "mongoose", "monkey", "moose", "moth", "mouse", "mule", "narwhal", "newt",
        "nightingale", "ocelot", "octopus", "okapi", "opossum", "orca", "oriole", "osprey", "ostrich",
        "otter", "owl", "ox", "oyster", "panda", "panther", "parrot", "partridge", "peacock", "pelican",
        "penguin", "pheasant", "pig", "pigeon", "pika", "piranha", "platypus", "plover", "pony", "porcupine",
        "porpoise", "possum", "puffin", "puma", "python", "quail", "quokka", "rabbit", "raccoon", "ram",
        "raven", "reindeer", "rhino", "robin", "rooster", "salamander", "salmon", "sardine", "scorpion",
        "seahorse", "seal", "shark", "sheep", "shrew", "shrimp", "skunk", "sloth", "slug", "snail", "snake",
        "sparrow", "spider", "squid", "squirrel", "starfish", "stingray", "stork", "swallow", "swan",
        "swift", "tapir", "tarsier", "termite", "tern", "tiger", "toad", "tortoise", "toucan", "trout",
        "tuna", "turkey", "turtle", "viper", "vole", "vulture", "wallaby", "walrus", "warthog", "wasp",
        "weasel", "whale", "wildcat", "wolf", "wombat", "woodpecker", "wren", "yak", "zebra", "bongo",
        "dunlin", "gannet",
    ];

    /// <summary>"brave-otter" for the given key. Stable forever: changing the lists renames everyone.</summary>
    public static string For(PeerId id)
    {
        Span<byte> key = stackalloc byte[PeerId.Length];
        id.CopyTo(key);
        return Adjectives[key[0]] + "-" + Animals[key[1]];
    }

    /// <summary>"brave-otter (1a2b3c4d)": the name with the key fingerprint, for logs and the CLI.</summary>
    public static string Display(PeerId id) => $"{For(id)} ({id.Fingerprint})";
}
