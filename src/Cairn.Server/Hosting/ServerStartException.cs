namespace Cairn.Server.Hosting;

/// <summary>The server cannot start; the message says why, in words for the person who started it.</summary>
public sealed class ServerStartException(string message) : Exception(message);
