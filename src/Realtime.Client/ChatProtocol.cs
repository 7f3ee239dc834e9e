namespace Realtime.Client;

public enum ChatProtocol
{
    Json,
    MessagePack,
}
