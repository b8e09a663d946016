"""Drives `trace mcp` with the `mcp` package's own stdio client, as an agent's host would.

    python3 mcp_session.py TRACE_BINARY DB_PATH CALLS_JSON

CALLS_JSON is a list of [tool, arguments]. Prints one JSON object: the tool names with their input
schemas, the guide resource's text, and each call's text and isError, in order.
"""
import asyncio
import json
import sys

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client


async def main(binary, db, calls):
    server = StdioServerParameters(command=binary, args=["mcp", "--db", db])
    async with stdio_client(server) as (read, write):
        async with ClientSession(read, write) as session:
            await session.initialize()
            tools = await session.list_tools()
            resources = await session.list_resources()
            guide = await session.read_resource(resources.resources[0].uri)
            results = []
            for name, arguments in calls:
                result = await session.call_tool(name, arguments)
                results.append({"text": "".join(c.text for c in result.content if c.type == "text"), "isError": bool(result.is_error)})
            print(json.dumps({
                "tools": {tool.name: tool.input_schema for tool in tools.tools},
                "resources": [str(r.uri) for r in resources.resources],
                "guide": guide.contents[0].text,
                "results": results,
            }))


asyncio.run(main(sys.argv[1], sys.argv[2], json.loads(sys.argv[3])))
