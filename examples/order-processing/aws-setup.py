"""Creates what order-aws.asl.json writes to, in moto (or any AWS endpoint you point it at):

- the DynamoDB table Orders (key: orderId, a string), where Save Order puts the order;
- the SNS topic order-events, where Notify Customer publishes;
- the SQS queue order-events-inbox, subscribed to the topic (raw delivery), so that the
  notification can be read back: `--show ORDER_ID` prints the order's item and the messages.

    python3 examples/order-processing/aws-setup.py [--endpoint-url URL] [--show ORDER_ID]

The endpoint is --endpoint-url, else $AWS_ENDPOINT_URL, else http://127.0.0.1:5000 (the one in
switchback-aws.toml); the region is $AWS_REGION, else $AWS_DEFAULT_REGION, else us-east-1.
Credentials come from boto3's usual chain (for moto, any: AWS_ACCESS_KEY_ID=testing
AWS_SECRET_ACCESS_KEY=testing). Running it again changes nothing.
"""

import argparse
import json
import os
import sys

import boto3

TABLE = "Orders"
TOPIC = "order-events"
QUEUE = "order-events-inbox"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--endpoint-url",
        default=os.environ.get("AWS_ENDPOINT_URL") or "http://127.0.0.1:5000",
    )
    parser.add_argument("--show", metavar="ORDER_ID", help="print the order's item and the notifications, create nothing")
    args = parser.parse_args()
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"

    def client(service):
        return boto3.client(service, endpoint_url=args.endpoint_url, region_name=region)

    dynamodb, sns, sqs = client("dynamodb"), client("sns"), client("sqs")

    if args.show:
        item = dynamodb.get_item(TableName=TABLE, Key={"orderId": {"S": args.show}}).get("Item")
        queue_url = sqs.get_queue_url(QueueName=QUEUE)["QueueUrl"]
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        print(f"{TABLE} item {args.show}: {json.dumps(item)}")
        for message in messages.get("Messages", []):
            print(f"{QUEUE} message: {message['Body']}")
        return

    if TABLE in dynamodb.list_tables()["TableNames"]:
        print(f"table {TABLE}: exists")
    else:
        dynamodb.create_table(
            TableName=TABLE,
            KeySchema=[{"AttributeName": "orderId", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "orderId", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        dynamodb.get_waiter("table_exists").wait(TableName=TABLE)
        print(f"table {TABLE}: created")

    topic_arn = sns.create_topic(Name=TOPIC)["TopicArn"]  # idempotent: returns the existing one
    queue_url = sqs.create_queue(QueueName=QUEUE)["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    subscribed = any(
        s["Endpoint"] == queue_arn for s in sns.list_subscriptions_by_topic(TopicArn=topic_arn)["Subscriptions"]
    )
    if not subscribed:
        sns.subscribe(
            TopicArn=topic_arn,
            Protocol="sqs",
            Endpoint=queue_arn,
            Attributes={"RawMessageDelivery": "true"},
        )
    print(f"topic {topic_arn}: ready, delivering to the queue {QUEUE}")


if __name__ == "__main__":
    main()
